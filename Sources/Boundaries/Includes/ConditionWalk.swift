// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Which includes one translation unit's compilation reads, found without running its
// compiler: its files are walked in include order (depth-first, as the preprocessor does)
// with the macros of its command line, tracking #define/#undef and evaluating each #if.
// A branch we cannot decide is followed with all its siblings, so nothing is dropped on a
// guess; a file the preprocessor would reject makes the unit fall back to every branch.

import Foundation

/// What the walk of one unit found.
struct UnitConditions: Sendable {
    /// Includer (absolute) -> lines of the #include directives the compilation takes.
    var taken: [String: Set<Int>] = [:]
    /// Includer -> lines of #include directives in branches it does not take.
    var untaken: [String: Set<Int>] = [:]
    /// Conditions (distinct file and line) whose value we could not decide.
    var undecided = 0
    var problems: [AnalysisProblem] = []
    /// Why the evaluation was given up, naming the file and line; the unit then follows
    /// every branch.
    var failure: String?
}

struct ConditionWalk {
    let tree: TreeRoot
    let resolver: HeaderResolver
    /// Includer -> line -> header, where the compiler's trace or a depfile said.
    let traced: ResolvedDirectives
    /// GCC's limit on nested #include.
    static let includeDepthLimit = 200
    /// Directives walked per unit before we give up (an unguarded header included in a
    /// loop, or undecided branches that re-walk headers many times).
    static let workLimit = 5_000_000

    func run(source: String, forced: [String], macros: MacroTable) -> UnitConditions {
        var state = State(macros: macros)
        for file in forced + [source] where state.failure == nil {
            walk(file, depth: 0, surely: true, state: &state)
        }
        var result = UnitConditions()
        result.undecided = state.undecided.count
        result.problems = state.problems
        result.failure = state.failure
        guard state.failure == nil else { return result }
        result.taken = state.taken
        for (file, lines) in state.untaken {
            let never = lines.subtracting(state.taken[file] ?? [])
            if !never.isEmpty { result.untaken[file] = never }
        }
        return result
    }

    private struct Location: Hashable {
        var file: String
        var line: Int
    }

    private struct State {
        var macros: MacroTable
        var taken: [String: Set<Int>] = [:]
        var untaken: [String: Set<Int>] = [:]
        var once: Set<String> = []
        var undecided: Set<Location> = []
        var problems: [AnalysisProblem] = []
        var failure: String?
        var work = 0
    }

    /// One open #if group.
    private struct Group {
        var line: Int
        /// The region around the group is compiled (`live`), and surely so (`certain`).
        var parentLive: Bool
        var parentCertain: Bool
        /// A branch so far was surely taken: the rest are not.
        var decided = false
        /// A branch so far was undecided: a later true one is only maybe taken.
        var maybeTaken = false
        var sawElse = false
        /// The current branch is followed, and surely compiled.
        var live = false
        var certain = false
    }

    /// surely: the #include that reached `file` is surely compiled; when not, what the file
    /// defines is only maybe defined.
    private func walk(_ file: String, depth: Int, surely: Bool, state: inout State) {
        let display = tree.display(file)
        guard depth <= Self.includeDepthLimit else {
            state.failure = "\(display): #include nested more than \(Self.includeDepthLimit) deep (a header that includes itself?)"
            return
        }
        // An unreadable file is reported by the graph walk.
        guard case .success(let parsed) = resolver.cache.parsedDirectives(of: file) else { return }
        if state.once.contains(file) { return }
        if let name = parsed.guardMacro, let definition = state.macros[name], definition != .uncertain { return }

        var groups: [Group] = []
        var live: Bool { groups.last?.live ?? true }
        var certain: Bool { groups.last?.certain ?? surely }

        func decide(_ outcome: ConditionExpression.Outcome, line: Int) -> Bool? {
            switch outcome {
            case .decided(let value):
                return value
            case .undecided:
                state.undecided.insert(Location(file: file, line: line))
                return nil
            case .invalid(let message):
                state.problems.append(AnalysisProblem(SourceLocation(path: display, line: line), "\(message); all branches followed"))
                state.undecided.insert(Location(file: file, line: line))
                return nil
            }
        }
        func defined(_ name: String, line: Int) -> Bool? {
            guard !name.isEmpty else {
                state.problems.append(AnalysisProblem(SourceLocation(path: display, line: line), "no macro name after #ifdef, #ifndef or #elifdef; all branches followed"))
                state.undecided.insert(Location(file: file, line: line))
                return nil
            }
            switch state.macros[name] {
            case .object, .opaque: return true
            case .uncertain: return nil
            case nil: return MacroTable.isCompilerNamespace(name) ? nil : false
            }
        }
        func open(_ line: Int, _ value: () -> Bool?) {
            var group = Group(line: line, parentLive: live, parentCertain: certain)
            if group.parentLive {
                let outcome = value()
                if outcome == nil { state.undecided.insert(Location(file: file, line: line)) }
                enter(&group, outcome)
            }
            groups.append(group)
        }
        /// The next branch of `group`, whose condition is `outcome` (nil: undecided).
        func enter(_ group: inout Group, _ outcome: Bool?) {
            switch outcome {
            case true?:
                group.live = true
                group.certain = group.parentCertain && !group.maybeTaken
                group.decided = true
            case false?:
                group.live = false
            case nil:
                group.live = true
                group.certain = false
                group.maybeTaken = true
            }
        }
        func fail(_ line: Int, _ message: String) {
            state.failure = "\(display):\(line): \(message); the unit's includes follow every branch"
            state.problems.append(AnalysisProblem(SourceLocation(path: display, line: line), "\(message); includes of units reading it follow every branch"))
        }
        /// Opens the next branch (#elif, #else); `value` is only asked when it matters.
        func next(_ line: Int, isElse: Bool, _ value: () -> Bool?) -> Bool {
            guard var group = groups.popLast() else {
                fail(line, isElse ? "#else without #if" : "#elif without #if")
                return false
            }
            guard !group.sawElse else {
                fail(line, isElse ? "#else after #else" : "#elif after #else")
                return false
            }
            group.sawElse = isElse
            if !group.parentLive || group.decided {
                group.live = false
            } else {
                enter(&group, value())
            }
            groups.append(group)
            return true
        }

        for directive in parsed.conditions {
            state.work += 1
            if state.work > Self.workLimit {
                state.failure = "\(display):\(directive.line): more than \(Self.workLimit) directives walked for one unit; its includes follow every branch"
                return
            }
            let line = directive.line
            switch directive.kind {
            case .ifExpression(let text):
                open(line) { decide(ConditionExpression.evaluate(text, macros: state.macros), line: line) }
            case .ifdef(let name):
                open(line) { defined(name, line: line) }
            case .ifndef(let name):
                open(line) { defined(name, line: line).map { !$0 } }
            case .elif(let text):
                guard next(line, isElse: false, { decide(ConditionExpression.evaluate(text, macros: state.macros), line: line) }) else { return }
            case .elifdef(let name, let negated):
                guard next(line, isElse: false, {
                    let value = defined(name, line: line).map { $0 != negated }
                    if value == nil { state.undecided.insert(Location(file: file, line: line)) }
                    return value
                }) else { return }
            case .elseBranch:
                guard next(line, isElse: true, { true }) else { return }
            case .endif:
                guard groups.popLast() != nil else {
                    fail(line, "#endif without #if")
                    return
                }
            case .define(let name, let body):
                guard live else { break }
                state.macros[name] = certain ? (body.map(MacroDefinition.object) ?? .opaque) : .uncertain
            case .undef(let name):
                guard live else { break }
                state.macros[name] = certain ? nil : .uncertain
            case .pragmaOnce:
                if live, certain { state.once.insert(file) }
            case .include(let index):
                let include = parsed.includes[index]
                guard live else {
                    state.untaken[file, default: []].insert(include.line)
                    break
                }
                state.taken[file, default: []].insert(include.line)
                if let header = traced[file]?[include.line] ?? resolver.resolve(include, in: file) {
                    walk(header, depth: depth + 1, surely: certain, state: &state)
                    if state.failure != nil { return }
                }
            }
        }
        if let unclosed = groups.last {
            fail(unclosed.line, "#if without #endif at the end of the file")
        }
    }
}
