// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The review page's script. It reads the data block once, indexes it once, and renders
// big tables lazily (only the rows in view), so tens of thousands of files stay fluid.
// Every value from the SBOM reaches the page through textContent, never as markup.

extension ReviewPage {
    static let script = #"""
'use strict';
(() => {
const D = JSON.parse(document.getElementById('review-data').textContent);
const $ = (id) => document.getElementById(id);
const FAMILY = new Map(D.families.map((f) => [f.id, f]));
const lic = (i) => (i >= 0 ? D.licenses[i].expr : '');
const famOf = (i) => (i >= 0 ? D.licenses[i].family : 'unknown');
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, props, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children || []) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function link(url) {
  if (/^https?:\/\//i.test(url)) return el('a', { href: url, rel: 'noreferrer noopener', text: url });
  return document.createTextNode(url);
}
function idsOf(expr) {
  return (expr.match(/[A-Za-z0-9][A-Za-z0-9.\-+:]*/g) || []).filter((t) => !/^(AND|OR|WITH)$/i.test(t));
}

// A table that renders only the rows in view; rows are arrays of cell strings.
class VirtualTable {
  constructor(host, columns, onRow) {
    this.host = host; this.columns = columns; this.onRow = onRow; this.rows = [];
    this.height = 26; this.sortColumn = -1; this.sortDirection = 1; this.selected = null;
    this.head = el('div', { class: 'vt-head' });
    columns.forEach((c, i) => {
      const h = el('div', { class: 'vt-cell', text: c.title, title: 'Sort by ' + c.title, 'data-column': c.key });
      h.style.flex = c.flex;
      h.addEventListener('click', () => this.sortBy(i));
      this.head.append(h);
    });
    this.viewport = el('div', { class: 'vt-viewport', tabindex: '0' });
    this.spacer = el('div', { class: 'vt-spacer' });
    this.body = el('div', { class: 'vt-body' });
    this.viewport.append(this.spacer, this.body);
    host.append(this.head, this.viewport);
    let pending = false;
    this.viewport.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.render(); });
    });
  }
  setRows(rows) {
    this.rows = rows;
    this.sort();
    this.spacer.style.height = rows.length * this.height + 'px';
    this.viewport.style.height = Math.min(420, Math.max(1, rows.length) * this.height + 2) + 'px';
    this.viewport.scrollTop = 0;
    this.host.dataset.count = String(rows.length);
    this.render();
  }
  sortBy(i) {
    this.sortDirection = this.sortColumn === i ? -this.sortDirection : 1;
    this.sortColumn = i;
    this.head.querySelectorAll('.vt-cell').forEach((h, j) => {
      h.dataset.sorted = j === i ? (this.sortDirection > 0 ? 'asc' : 'desc') : '';
    });
    this.sort();
    this.render();
  }
  sort() {
    if (this.sortColumn < 0) return;
    const c = this.columns[this.sortColumn], d = this.sortDirection;
    const key = c.numeric ? (r) => Number(c.get(r)) : (r) => String(c.get(r)).toLowerCase();
    const keyed = this.rows.map((r) => [key(r), r]);
    keyed.sort((a, b) => (a[0] < b[0] ? -d : a[0] > b[0] ? d : 0));
    for (let i = 0; i < keyed.length; i++) this.rows[i] = keyed[i][1];
  }
  render() {
    const top = this.viewport.scrollTop, view = this.viewport.clientHeight || 420;
    const first = Math.max(0, Math.floor(top / this.height) - 5);
    const last = Math.min(this.rows.length, Math.ceil((top + view) / this.height) + 5);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      const r = el('div', { class: 'vt-row' + (row === this.selected ? ' selected' : ''), role: 'row' });
      for (const c of this.columns) {
        const text = String(c.get(row));
        const cell = el('div', { class: 'vt-cell', text, title: text });
        cell.style.flex = c.flex;
        if (c.family) cell.dataset.family = c.family(row);
        r.append(cell);
      }
      r.addEventListener('click', () => { this.selected = row; this.render(); this.onRow(row); });
      fragment.append(r);
    }
    this.body.style.transform = 'translateY(' + first * this.height + 'px)';
    this.body.replaceChildren(fragment);
  }
}

function barChart(host, series, title) {
  const families = D.families.filter((f) => series.some((s) => (s.values[f.id] || 0) > 0));
  const max = Math.max(1, ...series.flatMap((s) => families.map((f) => s.values[f.id] || 0)));
  const barH = 16, groupH = barH * series.length + 10, left = 150, width = 560;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width + 200} ${families.length * groupH + 10}`);
  svg.setAttribute('width', String(width + 200)); svg.setAttribute('role', 'img');
  const t = document.createElementNS(SVG, 'title'); t.textContent = title; svg.append(t);
  families.forEach((f, i) => {
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', '0'); label.setAttribute('y', String(i * groupH + barH));
    label.textContent = f.label; svg.append(label);
    series.forEach((s, j) => {
      const n = s.values[f.id] || 0, y = i * groupH + j * barH;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(left)); rect.setAttribute('y', String(y + 2));
      rect.setAttribute('width', String(Math.max(1, (n / max) * (width - left))));
      rect.setAttribute('height', String(barH - 4)); rect.setAttribute('class', 'bar fam-' + f.id + (j < series.length - 1 ? ' older' : ''));
      const tip = document.createElementNS(SVG, 'title'); tip.textContent = `${s.label}: ${n}`; rect.append(tip);
      const value = document.createElementNS(SVG, 'text');
      value.setAttribute('x', String(left + Math.max(1, (n / max) * (width - left)) + 4)); value.setAttribute('y', String(y + barH - 3));
      value.textContent = series.length > 1 ? `${n} (${s.label})` : String(n);
      svg.append(rect, value);
    });
  });
  host.replaceChildren(el('h3', { text: title }), svg);
}

// Summary.
const S = D.summary;
for (const [id, value] of Object.entries({ 'count-components': S.components, 'count-distributed': S.distributed,
  'count-files': S.files, 'count-licenses': S.licenses, 'count-source': S.mustOfferSource.length,
  'count-attribution': S.needsAttribution.length, 'count-findings': S.findings })) $(id).textContent = String(value);
$('documents').replaceChildren(...D.documents.map((d) =>
  el('li', {}, [el('strong', { text: d.name }), ` (${d.format}${d.created ? ', ' + d.created : ''}) `, el('code', { text: d.path })])));
function nameList(host, indices) {
  const shown = indices.slice(0, 100).map((i) => {
    const c = D.components[i];
    return el('li', {}, [c.name + (c.version ? ' ' + c.version : '') + ' ', el('span', { class: 'muted', text: lic(c.license) || 'no license' })]);
  });
  if (indices.length > 100) shown.push(el('li', { class: 'muted', text: `and ${indices.length - 100} more` }));
  if (!indices.length) shown.push(el('li', { class: 'muted', text: 'none' }));
  host.replaceChildren(...shown);
}
nameList($('must-offer-source'), S.mustOfferSource);
nameList($('needs-attribution'), S.needsAttribution);
const familyCounts = {};
D.components.forEach((c) => { const f = famOf(c.license); familyCounts[f] = (familyCounts[f] || 0) + 1; });
barChart($('family-chart'), [{ label: 'components', values: familyCounts }], 'Components by license family');

// Components.
const componentColumns = [
  { key: 'name', title: 'Name', flex: '2 1 0', get: (c) => c.name },
  { key: 'version', title: 'Version', flex: '1 1 0', get: (c) => c.version },
  { key: 'supplier', title: 'Supplier', flex: '1.2 1 0', get: (c) => c.supplier },
  { key: 'purl', title: 'PURL', flex: '2 1 0', get: (c) => c.purl },
  { key: 'declared', title: 'Declared', flex: '1.5 1 0', get: (c) => c.declared },
  { key: 'concluded', title: 'Concluded', flex: '1.5 1 0', get: (c) => c.concluded },
  { key: 'family', title: 'Family', flex: '1 1 0', get: (c) => FAMILY.get(famOf(c.license)).label, family: (c) => famOf(c.license) },
  { key: 'distribution', title: 'Distribution', flex: '1 1 0', get: (c) => (c.distributed ? 'distributed' : 'platform') },
  { key: 'source', title: 'Source', flex: '1.2 1 0', get: (c) => c.source || 'not stated' },
  { key: 'files', title: 'Files', flex: '0.6 1 0', numeric: true, get: (c) => c.fileCount },
];
const componentTable = new VirtualTable($('components-table'), componentColumns, (c) => drill(c));
const licenseIDs = new Set();
D.components.forEach((c) => { for (const e of [c.declared, c.concluded]) idsOf(e).forEach((id) => licenseIDs.add(id)); });
$('filter-license').append(...[...licenseIDs].sort().map((id) => el('option', { value: id, text: id })));
$('filter-family').append(...D.families.map((f) => el('option', { value: f.id, text: f.label })));
const componentText = D.components.map((c) => [c.name, c.version, c.supplier, c.purl, c.declared, c.concluded].join('\n').toLowerCase());
function filterComponents() {
  const started = performance.now();
  const text = $('filter-text').value.trim().toLowerCase(), id = $('filter-license').value, family = $('filter-family').value;
  const rows = D.components.filter((c, i) =>
    (!text || componentText[i].includes(text)) && (!family || famOf(c.license) === family)
    && (!id || idsOf(c.declared).includes(id) || idsOf(c.concluded).includes(id)));
  componentTable.setRows(rows);
  $('components-shown').textContent = `${rows.length} of ${D.components.length} components`;
  $('components-table').dataset.filterMs = (performance.now() - started).toFixed(1);
}
$('filter-text').addEventListener('input', filterComponents);
for (const id of ['filter-license', 'filter-family']) $(id).addEventListener('change', filterComponents);

// Drill-down: one component's files.
const fileColumns = [
  { key: 'path', title: 'Path', flex: '3 1 0', get: (f) => f[0] },
  { key: 'license', title: 'License', flex: '1.5 1 0', get: (f) => lic(f[1]), family: (f) => famOf(f[1]) },
  { key: 'copyright', title: 'Copyright', flex: '2 1 0', get: (f) => f[2] },
  { key: 'checksums', title: 'Checksums', flex: '2 1 0', get: (f) => f[3] },
];
const fileTable = new VirtualTable($('files-table'), fileColumns, (f) => {
  $('file-detail').replaceChildren(el('h4', { text: f[0] }), el('dl', {}, [
    el('dt', { text: 'License' }), el('dd', { text: lic(f[1]) || 'not stated' }),
    el('dt', { text: 'Copyright' }), el('dd', { class: 'pre', text: f[2] || 'none found' }),
    el('dt', { text: 'Checksums' }), el('dd', { class: 'pre', text: f[3].split(' ').join('\n') || 'none' })]));
});
let current = null, currentFiles = [], currentText = [];
function drill(c) {
  current = c;
  currentFiles = D.files.slice(c.fileStart, c.fileStart + c.fileCount);
  currentText = currentFiles.map((f) => (f[0] + '\n' + lic(f[1]) + '\n' + f[2]).toLowerCase());
  const fields = [['Name', c.name], ['Version', c.version], ['Supplier', c.supplier], ['PURL', c.purl],
    ['Declared license', c.declared], ['Concluded license', c.concluded],
    ['Family', FAMILY.get(famOf(c.license)).label], ['Obligations', FAMILY.get(famOf(c.license)).obligations.join('; ') || 'none'],
    ['Distribution', c.distributed ? 'distributed with the release' : 'provided by the platform'],
    ['Copyright', c.copyright], ['Checksums', c.checksums], ['SBOM', D.documents[c.document].name + ' / ' + c.id]];
  const dl = el('dl');
  for (const [k, v] of fields) dl.append(el('dt', { text: k }), el('dd', { text: v || 'not stated' }));
  dl.append(el('dt', { text: 'Source' }), el('dd', {}, [c.source ? link(c.source) : 'not stated']));
  $('drilldown-title').textContent = c.name + (c.version ? ' ' + c.version : '');
  $('drilldown-details').replaceChildren(dl);
  $('file-filter').value = '';
  $('file-detail').replaceChildren();
  $('drilldown').hidden = false;
  filterFiles();
}
function filterFiles() {
  const started = performance.now();
  const text = $('file-filter').value.trim().toLowerCase();
  const rows = text ? currentFiles.filter((f, i) => currentText[i].includes(text)) : currentFiles.slice();
  fileTable.setRows(rows);
  $('files-shown').textContent = `${rows.length} of ${currentFiles.length} files`;
  $('files-table').dataset.filterMs = (performance.now() - started).toFixed(1);
}
$('file-filter').addEventListener('input', filterFiles);

// Licenses: each one, its obligations, where it occurs (indexed once over every file).
const fileCounts = new Array(D.licenses.length).fill(0), users = D.licenses.map(() => []);
for (const f of D.files) if (f[1] >= 0) fileCounts[f[1]]++;
D.components.forEach((c, i) => { if (c.license >= 0) users[c.license].push(i); });
const order = D.licenses.map((l, i) => i).sort((a, b) =>
  D.families.findIndex((f) => f.id === famOf(a)) - D.families.findIndex((f) => f.id === famOf(b)) || (lic(a) < lic(b) ? -1 : 1));
$('licenses-body').replaceChildren(...order.map((i) => {
  const f = FAMILY.get(famOf(i)), names = users[i].map((j) => D.components[j].name);
  const occurs = (names.length ? `${names.length} components: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}` : 'no component')
    + `; ${fileCounts[i]} files`;
  const row = el('tr', {}, [el('td', {}, [el('code', { text: lic(i) })]), el('td', { text: f.label }),
    el('td', { text: f.obligations.join('; ') || 'none' }), el('td', { text: occurs })]);
  row.dataset.family = f.id;
  return row;
}));

// Findings with their evidence chains.
function findingList(host, findings) {
  const items = findings.slice(0, 500).map((f) => {
    const summary = el('summary', {}, [el('span', { class: 'level level-' + (/^(error|warning|note)$/.test(f.level) ? f.level : 'note'), text: f.level }),
      ' ', el('code', { text: f.rule }), ' ', el('span', { text: f.location }), ' ', f.isNew ? el('span', { class: 'new', text: 'new' }) : null,
      ' ', el('span', { text: f.message })]);
    const steps = el('ol', {}, f.evidence.map((s) => el('li', {}, [el('code', { text: s[0] }), ' ', s[1]])));
    return el('li', {}, [el('details', {}, [summary, el('p', { class: 'muted', text: f.tool }), f.evidence.length ? steps : el('p', { class: 'muted', text: 'no evidence chain' })])]);
  });
  if (findings.length > 500) items.push(el('li', { class: 'muted', text: `and ${findings.length - 500} more` }));
  if (!findings.length) items.push(el('li', { class: 'muted', text: 'No findings.' }));
  host.replaceChildren(...items);
}
findingList($('findings-list'), D.findings);

// Changes against the previous release.
if (D.diff) {
  const x = D.diff;
  $('changes').hidden = false;
  $('changes-previous').textContent = x.previous;
  const kinds = [['new-component', 'Added'], ['removed-component', 'Removed'], ['upgrade', 'Upgraded'], ['downgrade', 'Downgraded'],
    ['license-change', 'License changed'], ['new-copyleft', 'New copyleft'], ['removed-source', 'Source no longer stated'], ['new-finding', 'New findings']];
  const of = (k) => x.changes.filter((c) => c[0] === k || (c[0] === 'version-change' && c[4] === k));
  $('changes-counts').replaceChildren(...kinds.map(([k, label]) =>
    el('li', { 'data-kind': k }, [el('strong', { text: String(of(k).length) }), ' ' + label])));
  $('changes-tables').replaceChildren(...kinds.filter(([k]) => of(k).length).map(([k, label]) => el('section', { 'data-kind': k }, [
    el('h3', { text: `${label} (${of(k).length})` }),
    el('table', {}, [el('thead', {}, [el('tr', {}, ['Subject', 'Before', 'After', 'Note'].map((h) => el('th', { text: h })))]),
      el('tbody', {}, of(k).map((c) => el('tr', {}, [c[1], c[2], c[3], c[4]].map((v) => el('td', { text: v || '' })))))])])));
  barChart($('history-chart'), [{ label: x.previous, values: x.familiesBefore }, { label: D.title, values: familyCounts }],
    'Components by license family across releases');
}

filterComponents();
document.body.dataset.ready = '1';
document.body.dataset.readyMs = performance.now().toFixed(1);
})();
"""#
}
