// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Synchronization
import XCTest
@testable import ManagementAPI

/// A VM stand-in that records what the API asked of it.
final class FakeController: VMController {
    struct State {
        var paused = false; var shutdowns = 0; var pauseError: VMControlError?; var snapshots: [String] = []
        var migrations: [String] = []
    }
    let state = Mutex(State())

    func info() -> VMInfo {
        VMInfo(state: state.withLock { $0.paused } ? .paused : .running, vcpus: 2, memoryMiB: 64,
               devices: ["serial: 16550"], uptimeMilliseconds: 1234)
    }

    func pause() throws(VMControlError) {
        try state.withLock { (state) throws(VMControlError) in
            if let error = state.pauseError { throw error }
            guard !state.paused else { throw .conflict("the VM is already paused") }
            state.paused = true
        }
    }

    func resume() throws(VMControlError) {
        try state.withLock { (state) throws(VMControlError) in
            guard state.paused else { throw .conflict("the VM is not paused") }
            state.paused = false
        }
    }

    func shutdown() { state.withLock { $0.shutdowns += 1 } }

    func snapshot(to path: String) throws(VMControlError) -> SnapshotInfo {
        try state.withLock { (state) throws(VMControlError) in
            guard state.paused else { throw .conflict("the VM must be paused for a snapshot; pause it first") }
            state.snapshots.append(path)
        }
        return SnapshotInfo(snapshotPath: path, memoryBytes: 64 << 20, memoryDataBytes: 4096, durationMilliseconds: 5)
    }

    /// Refuses a paused VM and URLs that are not unix: or tcp:, as the real one does.
    func migrate(to destinationURL: String) throws(VMControlError) -> MigrationInfo {
        guard destinationURL.hasPrefix("unix:") || destinationURL.hasPrefix("tcp:") else {
            throw .invalid("\(destinationURL): a migration URL is unix:PATH or tcp:HOST:PORT")
        }
        try state.withLock { (state) throws(VMControlError) in
            guard !state.paused else { throw .conflict("the VM must be running to migrate") }
            state.migrations.append(destinationURL)
        }
        return MigrationInfo(destinationURL: destinationURL, totalMilliseconds: 40, downtimeMilliseconds: 7, rounds: 2,
                             bytes: 1 << 20, pages: 256)
    }
}

final class APIRouterTests: XCTestCase {
    let controller = FakeController()
    var router: APIRouter { APIRouter(controller: controller) }

    private func respond(_ method: String, _ path: String, body: String = "", headers: [(String, String)] = [])
        -> (status: Int, json: [String: Any], response: HTTPResponse) {
        let request = HTTPRequest(method: method, path: path, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
        let response = router.respond(to: request).response
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status.code, json, response)
    }

    func testInfo() {
        let (status, json, response) = respond("GET", "/vm")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self),
                       "{\"devices\":[\"serial: 16550\"],\"memory_mib\":64,\"state\":\"running\",\"uptime_ms\":1234,\"vcpus\":2}")
        XCTAssertEqual(json["state"] as? String, "running")
    }

    func testPauseResumeAndTheirConflicts() {
        XCTAssertEqual(respond("PUT", "/vm/resume").status, 409)
        let paused = respond("PUT", "/vm/pause")
        XCTAssertEqual(paused.status, 200)
        XCTAssertEqual(paused.json["state"] as? String, "paused")
        let again = respond("PUT", "/vm/pause")
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.json["error"] as? String, "the VM is already paused")
        XCTAssertEqual(respond("PUT", "/vm/resume", body: "{}", headers: [("Content-Type", "application/json")]).json["state"] as? String,
                       "running")
        controller.state.withLock { $0.pauseError = .failed("vCPU 1 did not stop") }
        XCTAssertEqual(respond("PUT", "/vm/pause").status, 500)
    }

    func testShutdownHappensAfterTheAnswer() {
        let (response, after) = router.respond(to: HTTPRequest(method: "PUT", path: "/vm/shutdown"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("\"state\":\"stopping\""))
        XCTAssertEqual(controller.state.withLock { $0.shutdowns }, 0)
        after?()
        XCTAssertEqual(controller.state.withLock { $0.shutdowns }, 1)
    }

    func testUnknownPathsAndMethods() {
        XCTAssertEqual(respond("GET", "/nope").status, 404)
        XCTAssertEqual(respond("GET", "/vm/").status, 404)
        let wrongMethod = respond("GET", "/vm/pause")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.response.headers, ["Allow: PUT"])
        XCTAssertEqual(respond("DELETE", "/vm").status, 405)
    }

    func testBodiesMustBeJSONObjects() {
        XCTAssertEqual(respond("PUT", "/vm/pause", body: "{not json").json["error"] as? String, "the body is not valid JSON")
        XCTAssertEqual(respond("PUT", "/vm/pause", body: "{\"a\":").status, 400)
        XCTAssertEqual(respond("PUT", "/vm/pause", body: "[1]").json["error"] as? String, "the body must be a JSON object")
        XCTAssertEqual(respond("PUT", "/vm/pause", body: "{}", headers: [("Content-Type", "text/plain")]).status, 415)
        let invalid = router.respond(to: HTTPRequest(method: "PUT", path: "/vm/pause", body: [0x7b, 0xff, 0x7d])).response
        XCTAssertEqual(invalid.status, .badRequest)
        XCTAssertEqual(controller.state.withLock { $0.paused }, false, "a refused request does nothing")
    }

    func testSnapshotNeedsAPausedVMAndAnAbsolutePath() {
        let (running, json, _) = respond("PUT", "/snapshot/create", body: #"{"snapshot_path":"/tmp/snap"}"#)
        XCTAssertEqual(running, 409)
        XCTAssertEqual(json["error"] as? String, "the VM must be paused for a snapshot; pause it first")
        try? controller.pause()
        for body in ["", "{}", #"{"snapshot_path": 3}"#] {
            let (status, json, _) = respond("PUT", "/snapshot/create", body: body)
            XCTAssertEqual(status, 400, body)
            XCTAssertEqual(json["error"] as? String, #"the body must name a new directory: {"snapshot_path": "/absolute/path"}"#)
        }
        XCTAssertEqual(respond("PUT", "/snapshot/create", body: #"{"snapshot_path":"snap"}"#).json["error"] as? String,
                       "snapshot_path must be an absolute path, not snap")
        let (status, answer, _) = respond("PUT", "/snapshot/create", body: #"{"snapshot_path":"/tmp/snap"}"#)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(answer["snapshot_path"] as? String, "/tmp/snap")
        XCTAssertEqual(answer["memory_bytes"] as? Int, 64 << 20)
        XCTAssertEqual(controller.state.withLock { $0.snapshots }, ["/tmp/snap"])
    }

    func testLoadBodiesAreCheckedAndAVMThatIsThereRefusesIt() {
        let usage = #"the body must name the snapshot directory: {"snapshot_path": "/absolute/path", "resume": true}"#
        for body in ["", "{}", #"{"snapshot_path": 3}"#, #"{"resume": true}"#, #"{"snapshot_path": "/tmp/s", "resume": "no"}"#,
                     #"{"snapshot_path": "/tmp/s", "resume": 1}"#, #"{"snapshot_path": null}"#] {
            let (status, json, _) = respond("PUT", "/snapshot/load", body: body)
            XCTAssertEqual(status, 400, body)
            XCTAssertEqual(json["error"] as? String, usage, body)
        }
        XCTAssertEqual(respond("PUT", "/snapshot/load", body: "{nope").json["error"] as? String, "the body is not valid JSON")
        XCTAssertEqual(respond("PUT", "/snapshot/load", body: "[]").json["error"] as? String, "the body must be a JSON object")
        XCTAssertEqual(respond("PUT", "/snapshot/load", body: #"{"snapshot_path":"snap"}"#).json["error"] as? String,
                       "snapshot_path must be an absolute path, not snap")
        XCTAssertEqual(respond("GET", "/snapshot/load").status, 405)
        let (status, json, _) = respond("PUT", "/snapshot/load", body: #"{"snapshot_path":"/tmp/snap","resume":false}"#)
        XCTAssertEqual(status, 409)
        XCTAssertEqual(json["error"] as? String,
                       "this VMM has a VM already; a snapshot is loaded into a candor-vm started with --api-socket alone")
        XCTAssertEqual(controller.state.withLock { $0.paused }, false, "the VM that is there is left alone")
    }

    func testLoadRequestDefaultsToResuming() throws {
        let decoded = try JSONDecoder().decode(SnapshotLoadRequest.self, from: Data(#"{"snapshot_path":"/s"}"#.utf8))
        XCTAssertEqual(decoded, SnapshotLoadRequest(snapshotPath: "/s", resume: true))
        let paused = try JSONDecoder().decode(SnapshotLoadRequest.self, from: Data(#"{"snapshot_path":"/s","resume":false}"#.utf8))
        XCTAssertFalse(paused.resume)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(paused), as: UTF8.self), #"{"resume":false,"snapshot_path":"\/s"}"#)
    }

    func testMigrateAnswersTheReport() {
        for body in ["", "{}", #"{"destination_url": 4}"#] {
            let (status, json, _) = respond("PUT", "/vm/migrate", body: body)
            XCTAssertEqual(status, 400, body)
            XCTAssertTrue((json["error"] as? String ?? "").contains("destination_url"), body)
        }
        XCTAssertEqual(respond("PUT", "/vm/migrate", body: #"{"destination_url":"ftp:x"}"#).status, 400)
        XCTAssertEqual(respond("GET", "/vm/migrate").status, 405)
        try? controller.pause()
        XCTAssertEqual(respond("PUT", "/vm/migrate", body: #"{"destination_url":"unix:/tmp/in.sock"}"#).status, 409)
        try? controller.resume()
        let (status, json, _) = respond("PUT", "/vm/migrate", body: #"{"destination_url":"tcp:10.0.0.2:4444"}"#,
                                        headers: [("Content-Type", "application/json")])
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["destination_url"] as? String, "tcp:10.0.0.2:4444")
        XCTAssertEqual(json["downtime_ms"] as? Int, 7)
        XCTAssertEqual(json["total_ms"] as? Int, 40)
        XCTAssertEqual(json["rounds"] as? Int, 2)
        XCTAssertEqual(json["bytes"] as? Int, 1 << 20)
        XCTAssertEqual(json["state_ms"] as? Int, 0, "the downtime's parts are in the answer")
        XCTAssertEqual(controller.state.withLock { $0.migrations }, ["tcp:10.0.0.2:4444"])
    }
}
