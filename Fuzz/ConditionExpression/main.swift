// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// libFuzzer target for the #if expression evaluator and the conditional directives the
// include parser returns. A first byte 0 makes the rest one expression; any other input is
// a C file whose #if/#elif operands are evaluated under the macros it #defines.
// Properties: nothing traps; evaluation is deterministic; directive lines are in the file;
// a guard macro is the operand of the first #ifndef. Built by
// scripts/fuzz.sh ConditionExpression with the sources listed in `sources`.

/// Macros that stress expansion: one naming itself, a mutual pair, a long chain, and the
/// values the evaluator cannot know.
private let stressMacros: MacroTable = {
    var table = MacroTable.predefined(cPlusPlus: false)
    table["SELF"] = .object("SELF + 1")
    table["LOOP_A"] = .object("LOOP_B * 2")
    table["LOOP_B"] = .object("(LOOP_A)")
    for level in 0..<80 { table["CHAIN\(level)"] = .object("CHAIN\(level + 1) + 1") }
    table["FN"] = .opaque
    table["MAYBE"] = .uncertain
    return table
}()

private func checkedEvaluate(_ text: String, _ macros: MacroTable) {
    let outcome = ConditionExpression.evaluate(text, macros: macros)
    precondition(outcome == ConditionExpression.evaluate(text, macros: macros), "'\(text)' evaluated twice differently")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConditionExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes[0] == 0 {
        checkedEvaluate(String(decoding: bytes.dropFirst(), as: UTF8.self), stressMacros)
        return 0
    }
    let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).count
    let parsed = IncludeDirectiveParser.parse(bytes, conditions: true)
    var macros = stressMacros
    for directive in parsed.conditions {
        precondition(directive.line >= 1 && directive.line <= lines, "directive line \(directive.line) of \(lines)")
        switch directive.kind {
        case .ifExpression(let text), .elif(let text):
            checkedEvaluate(text, macros)
        case .define(let name, let body):
            macros[name] = body.map(MacroDefinition.object) ?? .opaque
        case .undef(let name):
            macros[name] = nil
        case .include(let index):
            precondition(parsed.includes[index].line == directive.line)
        default:
            break
        }
    }
    if let name = parsed.guardMacro, case .ifndef(let first)? = parsed.conditions.first?.kind {
        precondition(first == name)
    } else {
        precondition(parsed.guardMacro == nil, "guard macro without a leading #ifndef")
    }
    return 0
}
