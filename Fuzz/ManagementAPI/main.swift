// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

// libFuzzer target for the management API's request parser and router. Built by
// scripts/fuzz.sh ManagementAPI (the sources are compiled into this module, hence no
// import). Input: byte 0 picks where the input is cut into pieces (as a socket would
// deliver it, low 4 bits) and whether the router serves a VM or an empty slot that a
// snapshot load fills (bit 7); the rest is what a client sent. Properties: nothing traps;
// feeding the bytes in pieces gives the same request or error as feeding them at once;
// every error is a 4xx with a JSON body; every request gets a well-formed response from
// the router (a 4xx or 200, never a 5xx with this controller); the VM's state changes
// only on a successful pause, resume or shutdown, and an empty slot only on a successful
// load.

import Foundation
import Synchronization

final class RecordingController: VMController {
    let paused = Mutex(false)
    let actions = Mutex(0)

    func info() -> VMInfo {
        VMInfo(state: paused.withLock { $0 } ? .paused : .running, vcpus: 1, memoryMiB: 16, devices: ["serial"], uptimeMilliseconds: 1)
    }

    func pause() throws(VMControlError) {
        try paused.withLock { (paused) throws(VMControlError) in
            guard !paused else { throw .conflict("already paused") }
            paused = true
        }
        actions.withLock { $0 += 1 }
    }

    func resume() throws(VMControlError) {
        try paused.withLock { (paused) throws(VMControlError) in
            guard paused else { throw .conflict("not paused") }
            paused = false
        }
        actions.withLock { $0 += 1 }
    }

    func shutdown() { actions.withLock { $0 += 1 } }

    func snapshot(to path: String) throws(VMControlError) -> SnapshotInfo {
        guard paused.withLock({ $0 }) else { throw .conflict("not paused") }
        actions.withLock { $0 += 1 }
        return SnapshotInfo(snapshotPath: path, memoryBytes: 16 << 20, memoryDataBytes: 0, durationMilliseconds: 0)
    }

    func migrate(to destinationURL: String) throws(VMControlError) -> MigrationInfo {
        throw .conflict("this fake does not migrate")
    }
}

enum Outcome: Equatable {
    case request(HTTPRequest)
    case failure(HTTPParseError)
    case incomplete
}

/// Small limits, so the fuzzer reaches them.
func makeParser() -> HTTPRequestParser { HTTPRequestParser(maximumHeaderBytes: 512, maximumBodyBytes: 256) }

func parse(_ bytes: ArraySlice<UInt8>, pieceSize: Int) -> Outcome {
    var parser = makeParser()
    var start = bytes.startIndex
    do throws(HTTPParseError) {
        while start < bytes.endIndex {
            let end = min(start + pieceSize, bytes.endIndex)
            if let request = try parser.append(bytes[start..<end]) {
                // What a server does: the first complete request is answered.
                return .request(request)
            }
            start = end
        }
        try parser.finish()
        return .incomplete
    } catch {
        return .failure(error)
    }
}

func check(_ response: HTTPResponse) {
    let wire = response.serialized
    precondition(String(validating: wire, as: UTF8.self) != nil, "response is not UTF-8")
    if !response.body.isEmpty {
        precondition((try? JSONSerialization.jsonObject(with: Data(response.body))) is [String: Any], "response body is not a JSON object")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManagementAPI(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let pieceSize = Int(input[0] % 16) + 1
    let bytes = input[1...]
    let whole = parse(bytes, pieceSize: bytes.count + 1)
    let pieces = parse(bytes, pieceSize: pieceSize)
    // Acceptance, refusal and "incomplete" must agree; accepted requests must be equal. The
    // kind of a refusal may differ (pieces have the request line checked before the
    // header section ends, the whole input its size first).
    switch (whole, pieces) {
    case let (.request(a), .request(b)): precondition(a == b, "pieces changed the request")
    case (.failure, .failure), (.incomplete, .incomplete): break
    default: preconditionFailure("whole input: \(whole); in pieces of \(pieceSize): \(pieces)")
    }
    switch pieces {
    case let .failure(error):
        precondition((400..<500).contains(error.status.code), "parse errors are 4xx")
        _ = error.description
        check(.error(error.status, "\(error)"))
    case let .request(request):
        let controller = RecordingController()
        let slot = input[0] & 0x80 != 0 ? VMSlot { _ in RecordingController() } : nil
        let (response, after) = APIRouter(controller: slot ?? controller).respond(to: request)
        after?()
        check(response)
        let code = response.status.code
        precondition(code == 200 || (400..<500).contains(code), "unexpected status \(code)")
        let changed = controller.actions.withLock { $0 } != 0
        if let slot {
            precondition(!changed && (slot.vm != nil) == (code == 200 && request.path == "/snapshot/load"),
                         "an empty slot changed without a successful load (\(code) \(request.path))")
        } else {
            precondition(changed == (code == 200 && ["/vm/pause", "/vm/shutdown"].contains(request.path)),
                         "state changed without a successful action (\(code) \(request.path))")
        }
    case .incomplete:
        break
    }
    return 0
}
