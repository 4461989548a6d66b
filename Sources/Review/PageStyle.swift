// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The review page's style sheet (inline: the page must work from file:// with no network).

extension ReviewPage {
    static let style = #"""
:root { --fg: #1d2329; --muted: #5f6b76; --line: #d5dbe1; --bg: #fff; --head: #f3f5f7; --accent: #0b5cad;
  --strong: #b3261e; --weak: #c77700; --perm: #2e7d32; --other: #6a1b9a; --unknown: #9e9e9e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { margin: 0 0 4px; font-size: 20px; }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { padding: 0 24px 48px; }
section { margin-top: 28px; }
h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.cards strong { display: block; font-size: 22px; }
.columns { display: flex; gap: 32px; flex-wrap: wrap; }
.columns > div { flex: 1 1 320px; }
.columns ul { max-height: 260px; overflow: auto; padding-left: 18px; }
.filters { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.filters input, .filters select { font: inherit; padding: 3px 6px; }
.vt { border: 1px solid var(--line); border-radius: 4px; }
.vt-head, .vt-row { display: flex; }
.vt-head { background: var(--head); font-weight: 600; border-bottom: 1px solid var(--line); cursor: pointer; user-select: none; }
.vt-head .vt-cell[data-sorted="asc"]::after { content: " \25B2"; }
.vt-head .vt-cell[data-sorted="desc"]::after { content: " \25BC"; }
.vt-viewport { height: 420px; overflow: auto; position: relative; }
.vt-body { position: absolute; top: 0; left: 0; right: 0; }
.vt-row { height: 26px; cursor: pointer; border-bottom: 1px solid #eef1f4; }
.vt-row:hover { background: #f5f9ff; }
.vt-row.selected { background: #e3efff; }
.vt-cell { padding: 3px 6px; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
[data-family="strong-copyleft"], [data-family="network-copyleft"] { color: var(--strong); }
[data-family="weak-copyleft-library"], [data-family="weak-copyleft-file"] { color: var(--weak); }
[data-family="permissive"] { color: var(--perm); }
[data-family="proprietary"], [data-family="unrecognized"] { color: var(--other); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
th { background: var(--head); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.pre { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12px; }
#drilldown { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 16px; }
#findings-list { list-style: none; padding: 0; }
#findings-list summary { cursor: pointer; }
.level { font-weight: 600; text-transform: uppercase; font-size: 11px; padding: 1px 5px; border-radius: 3px; background: #eee; }
.level-error { background: #fde0dd; color: var(--strong); }
.level-warning { background: #fff0d0; color: var(--weak); }
.new { background: var(--accent); color: #fff; font-size: 11px; padding: 1px 5px; border-radius: 3px; }
svg text { font-size: 12px; fill: var(--fg); }
.bar { fill: var(--unknown); }
.bar.older { opacity: 0.45; }
.fam-strong-copyleft, .fam-network-copyleft { fill: var(--strong); }
.fam-weak-copyleft-library, .fam-weak-copyleft-file { fill: var(--weak); } .fam-permissive { fill: var(--perm); }
.fam-proprietary, .fam-unrecognized { fill: var(--other); }
#changes-counts { display: flex; gap: 14px; flex-wrap: wrap; list-style: none; padding: 0; }
"""#
}
