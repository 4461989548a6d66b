// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Synchronization

/// The one VM of a VMM, as the API serves it: there from the start (`candor-vm run
/// --kernel`, `restore`, `run --incoming`), or, in Firecracker's way, loaded later from a
/// snapshot by a client (`candor-vm run --api-socket` alone). Before a load, `GET /vm`
/// says `not_started` and every other request but the load is refused with 409 (the router
/// checks `info().state`); a load that fails leaves the slot empty for the next one. Once
/// there, the VM's own controller answers everything, and a load is refused with 409.
public final class VMSlot<VM: VMController>: VMController {
    private let content: Mutex<VM?>
    private let load: (@Sendable (_ snapshotPath: String) throws(VMControlError) -> VM)?

    /// A slot that holds `vm` from the start.
    public init(vm: VM) {
        content = Mutex(vm)
        load = nil
    }

    /// An empty slot; `load` restores the snapshot in a directory (absolute path) as a
    /// running VM, or throws what the client is answered.
    public init(load: @escaping @Sendable (_ snapshotPath: String) throws(VMControlError) -> VM) {
        content = Mutex(nil)
        self.load = load
    }

    /// The VM, once there is one.
    public var vm: VM? { content.withLock { $0 } }

    private func loadedVM() throws(VMControlError) -> VM {
        guard let vm else { throw .noVM }
        return vm
    }

    public func info() -> VMInfo {
        vm?.info() ?? VMInfo(state: .notStarted, vcpus: 0, memoryMiB: 0, devices: [], uptimeMilliseconds: 0)
    }

    public func pause() throws(VMControlError) { try loadedVM().pause() }

    public func resume() throws(VMControlError) { try loadedVM().resume() }

    public func shutdown() { vm?.shutdown() }

    public func snapshot(to path: String) throws(VMControlError) -> SnapshotInfo { try loadedVM().snapshot(to: path) }

    public func migrate(to destinationURL: String) throws(VMControlError) -> MigrationInfo { try loadedVM().migrate(to: destinationURL) }

    /// Loads the VM under the lock, so that two loads cannot both succeed; a VM that stays
    /// paused is paused before anyone else sees it.
    public func loadSnapshot(from path: String, resume: Bool) throws(VMControlError) -> VMInfo {
        let vm = try content.withLock { (content) throws(VMControlError) -> VM in
            guard content == nil, let load else { throw .vmExists }
            let vm = try load(path)
            if !resume { try vm.pause() }
            content = vm
            return vm
        }
        return vm.info()
    }
}
