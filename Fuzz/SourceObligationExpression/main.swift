// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Fuzzes the expression reader behind the source obligation: any text parses or gives a
// SourceOfferError, never a trap; `A OR B` never obliges more than `A AND B`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let node = try? obligationExpression(text, component: "fuzz") else { return 0 }
    let isGPL: (String) -> Bool = { $0.hasPrefix("GPL") }
    if case let .or(parts) = node, node.obliges(isGPL), !parts.allSatisfy({ $0.obliges(isGPL) }) {
        fatalError("OR obliges although one choice does not: \(text)")
    }
    if node.obligationIDs.isEmpty { fatalError("parsed expression without ids: \(text)") }
    return 0
}
