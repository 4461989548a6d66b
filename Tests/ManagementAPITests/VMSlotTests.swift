// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Synchronization
import XCTest
@testable import ManagementAPI

/// A VMM started without a VM, through the router: only `GET /vm` and a load are served
/// before the load, a failed load leaves it waiting, a second load is refused.
final class VMSlotTests: XCTestCase {
    /// The snapshot paths a slot asked to load, and the VMs it got.
    final class Loads: Sendable {
        let paths = Mutex<[String]>([])
        let vms = Mutex<[FakeController]>([])
    }
    let loads = Loads()

    /// A slot whose loads fail for paths under /missing (as a restore of a missing snapshot does).
    func emptySlot() -> VMSlot<FakeController> {
        VMSlot { [loads] path throws(VMControlError) in
            loads.paths.withLock { $0.append(path) }
            guard !path.hasPrefix("/missing") else { throw .invalid("\(path)/snapshot.json: cannot open: No such file or directory") }
            let vm = FakeController()
            loads.vms.withLock { $0.append(vm) }
            return vm
        }
    }

    private func respond(_ slot: VMSlot<FakeController>, _ method: String, _ path: String, body: String = "")
        -> (status: Int, json: [String: Any]) {
        let (response, after) = APIRouter(controller: slot).respond(to: HTTPRequest(method: method, path: path, body: Array(body.utf8)))
        after?()
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status.code, json)
    }

    func testBeforeALoadOnlyInfoAndTheLoadAreServed() {
        let slot = emptySlot()
        let (response, _) = APIRouter(controller: slot).respond(to: HTTPRequest(method: "GET", path: "/vm"))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self),
                       #"{"devices":[],"memory_mib":0,"state":"not_started","uptime_ms":0,"vcpus":0}"#)
        let refusal = "there is no VM yet; load one from a snapshot first: PUT /snapshot/load (candor-vm ctl restore DIR)"
        for (path, body) in [("/vm/pause", ""), ("/vm/resume", ""), ("/vm/shutdown", ""), ("/snapshot/create", #"{"snapshot_path":"/tmp/s"}"#),
                             ("/vm/migrate", #"{"destination_url":"unix:/tmp/in.sock"}"#)] {
            let (status, json) = respond(slot, "PUT", path, body: body)
            XCTAssertEqual(status, 409, path)
            XCTAssertEqual(json["error"] as? String, refusal, path)
        }
        XCTAssertThrowsError(try slot.pause()) { XCTAssertEqual($0 as? VMControlError, .noVM) }
        slot.shutdown()
        XCTAssertNil(slot.vm)
        XCTAssertEqual(loads.paths.withLock { $0 }, [], "nothing was loaded")
    }

    func testAFailedLoadLeavesTheSlotEmptyAndASecondLoadIsRefused() {
        let slot = emptySlot()
        XCTAssertEqual(respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "relative"}"#).status, 400)
        XCTAssertEqual(respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/s", "resume": "yes"}"#).status, 400)
        XCTAssertEqual(loads.paths.withLock { $0 }, [], "a bad body loads nothing")

        let (missingStatus, missing) = respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/missing/snap"}"#)
        XCTAssertEqual(missingStatus, 400)
        XCTAssertEqual(missing["error"] as? String, "/missing/snap/snapshot.json: cannot open: No such file or directory")
        XCTAssertEqual(respond(slot, "GET", "/vm").json["state"] as? String, "not_started")
        XCTAssertNil(slot.vm)

        let (status, json) = respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/tmp/snap"}"#)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["state"] as? String, "running", "running unless asked otherwise, as after candor-vm restore")
        XCTAssertEqual(json["vcpus"] as? Int, 2)
        XCTAssertTrue(slot.vm === loads.vms.withLock { $0.first })

        let (again, refused) = respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/tmp/snap"}"#)
        XCTAssertEqual(again, 409)
        XCTAssertEqual(refused["error"] as? String,
                       "this VMM has a VM already; a snapshot is loaded into a candor-vm started with --api-socket alone")
        XCTAssertEqual(loads.paths.withLock { $0 }, ["/missing/snap", "/tmp/snap"])

        // From now on the loaded VM answers.
        XCTAssertEqual(respond(slot, "PUT", "/vm/pause").json["state"] as? String, "paused")
        XCTAssertEqual(respond(slot, "PUT", "/snapshot/create", body: #"{"snapshot_path":"/tmp/s2"}"#).status, 200)
        XCTAssertEqual(slot.vm?.state.withLock { $0.snapshots }, ["/tmp/s2"])
        XCTAssertEqual(respond(slot, "PUT", "/vm/shutdown").status, 200)
        XCTAssertEqual(slot.vm?.state.withLock { $0.shutdowns }, 1)
    }

    func testALoadCanLeaveTheVMPaused() {
        let slot = emptySlot()
        let (status, json) = respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/tmp/snap", "resume": false}"#)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(json["state"] as? String, "paused")
        XCTAssertEqual(respond(slot, "PUT", "/vm/resume").json["state"] as? String, "running")
    }

    func testASlotWithItsVMRefusesALoad() {
        let vm = FakeController()
        let slot = VMSlot(vm: vm)
        XCTAssertEqual(respond(slot, "GET", "/vm").json["state"] as? String, "running")
        XCTAssertEqual(respond(slot, "PUT", "/snapshot/load", body: #"{"snapshot_path": "/tmp/snap"}"#).status, 409)
        XCTAssertEqual(respond(slot, "PUT", "/vm/pause").status, 200)
        XCTAssertTrue(vm.state.withLock { $0.paused })
    }
}
