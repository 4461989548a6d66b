// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Devices
import Foundation
import GuestMemory
import Synchronization

/// A virtio device whose work a separate backend process does over vhost-user (QEMU
/// docs/interop/vhost-user.rst): guest memory is shared by file descriptor, the backend
/// reads and writes the rings itself, kicks go to it and its calls come back through
/// eventfds. The transport (`VirtioMMIODevice`) still owns the registers; this is its backend.
// @unchecked: the mutable state is either in `shared` (a Mutex) or confined to `worker`
// (`relay`, and the connection after the handshake in init).
public final class VhostUserFrontend: VirtioDeviceBackend, @unchecked Sendable {
    /// GET_FEATURES bit saying the backend speaks protocol features; never shown to the guest.
    static let protocolFeaturesBit: UInt64 = 1 << 30
    static let protocolLogSharedMemory: UInt64 = 1 << 1
    static let protocolReplyAck: UInt64 = 1 << 3
    static let protocolConfig: UInt64 = 1 << 9
    /// VHOST_F_LOG_ALL: the backend marks what it writes in the log SET_LOG_BASE gave it.
    static let logAllFeature: UInt64 = 1 << 26
    /// SET_VRING_ADDR flag VHOST_VRING_F_LOG: log the used ring at log_guest_addr.
    static let vringLogFlag: UInt32 = 1
    /// VHOST_MEMORY_BASELINE_NREGIONS.
    static let memoryRegionLimit = 8
    /// Bits the guest may see: device-specific bits 0-23 and what a split ring on shared
    /// memory supports. Others (IOMMU, packed rings) need frontend support we lack, and
    /// logging is the frontend's own business.
    static let guestVisibleFeatures: UInt64 = (1 << 24 - 1) | VirtioFeatures.builtInRing

    public let deviceID: VirtioDeviceID
    public let features: UInt64
    public let queueMaximumSizes: [UInt16]
    public let configSpace: [UInt8]
    /// The socket path, or for a driver candor-vm started, its name and pid.
    public let socketPath: String
    /// Whether the backend can log its writes for a live migration (VHOST_F_LOG_ALL with
    /// the log in shared memory, VHOST_USER_PROTOCOL_F_LOG_SHMFD).
    public let supportsWriteLog: Bool

    /// The backend process when the VMM started it: it lives as long as the device.
    public let backendProcess: VhostUserBackendProcess?
    private let connection: VhostUserConnection
    private let backendFeatures: UInt64
    /// Every vhost-user message the guest triggers (activation on DRIVER_OK, stopping the
    /// rings on reset) is sent here, in order, never on the vCPU thread that wrote the
    /// register: a slow or hung backend then stalls this device only, never a vCPU or the
    /// MMIO bus. Replies are bounded by the connection's timeout.
    private let worker: DispatchQueue
    /// Only touched on `worker` (and in deinit, when no work is left).
    private var relay: CallRelay?
    /// Only touched on `worker`: the memory table `start` sent, to start the rings again
    /// after `suspend`, and each stopped ring's next available index until then.
    private var memoryTable: (table: VhostUserPayload, fds: [Int32])?
    private var suspendedBases: [Int: UInt16]?

    /// One eventfd per queue for the guest's notifications, for the device's life: the
    /// backend gets it with SET_VRING_KICK, and the machine can have KVM signal it directly
    /// on a QueueNotify write (ioeventfd), so a notification never exits to the VMM. Kicks
    /// that come before the backend has it wait in its counter.
    public let notificationDescriptors: [Int32]

    /// What vCPU threads (under the device lock), the worker and the call relay share.
    private struct Shared {
        /// Bumped by every activation and reset: work for an older one is stale.
        var generation = 0
        var context: VirtioDeviceContext?
        /// Set when the backend hung up while running: a block device then answers new
        /// requests itself, with VIRTIO_BLK_S_IOERR, until the driver resets it.
        var backendGone = false
        /// The log the backend marks its writes in while a migration runs.
        var writeLog: GuestWriteLog?
    }
    private let shared = Mutex(Shared())

    public var servesAfterFailure: Bool { deviceID == .block && shared.withLock { $0.backendGone } }

    /// Connects to the backend listening at `socketPath` and learns its features and
    /// configuration space (`configSize` bytes; 0 for none). A backend that does not
    /// answer a request within `replyTimeout` seconds counts as broken.
    public convenience init(socketPath: String, deviceID: VirtioDeviceID, queueCount: Int = 1, queueSize: UInt16 = 256,
                            configSize: Int = 0, hiddenFeatures: UInt64 = 0, connectTimeout: TimeInterval = 5,
                            replyTimeout: Int = 10) throws {
        let connection = try VhostUserConnection(path: socketPath, timeout: connectTimeout, replyTimeoutSeconds: replyTimeout)
        try self.init(connection: connection, process: nil, deviceID: deviceID, queueCount: queueCount, queueSize: queueSize,
                      configSize: configSize, hiddenFeatures: hiddenFeatures)
    }

    /// The handshake on an open `connection` (to `process` when the VMM started it).
    init(connection: VhostUserConnection, process: VhostUserBackendProcess?, deviceID: VirtioDeviceID, queueCount: Int = 1,
         queueSize: UInt16 = 256, configSize: Int = 0, hiddenFeatures: UInt64 = 0) throws {
        let socketPath = connection.path
        self.socketPath = socketPath
        self.deviceID = deviceID
        self.queueMaximumSizes = Array(repeating: queueSize, count: queueCount)
        self.connection = connection
        self.backendProcess = process
        self.worker = DispatchQueue(label: "vhost-user \(socketPath)")
        var notifications: [Int32] = []
        for index in 0..<queueCount {
            let fd = cposix_eventfd(0, 1)
            guard fd >= 0 else {
                let err = errno
                notifications.forEach { close($0) }
                throw VhostUserError.systemCall(path: socketPath, step: "queue \(index)", call: "eventfd", errno: err)
            }
            notifications.append(fd)
        }
        self.notificationDescriptors = notifications
        try connection.send(.setOwner, step: "SET_OWNER")
        backendFeatures = try connection.askU64(.getFeatures, step: "GET_FEATURES")
        guard backendFeatures & VirtioFeatures.version1 != 0 else {
            throw VhostUserError.missingFeature(path: socketPath, feature: "VIRTIO_F_VERSION_1")
        }
        var protocolFeatures: UInt64 = 0
        if backendFeatures & Self.protocolFeaturesBit != 0 {
            let offered = try connection.askU64(.getProtocolFeatures, step: "GET_PROTOCOL_FEATURES")
            protocolFeatures = offered & (Self.protocolReplyAck | Self.protocolConfig | Self.protocolLogSharedMemory)
            try connection.send(.setProtocolFeatures, .u64(protocolFeatures), step: "SET_PROTOCOL_FEATURES")
            connection.replyAcknowledgements = protocolFeatures & Self.protocolReplyAck != 0
        }
        features = backendFeatures & Self.guestVisibleFeatures & ~hiddenFeatures
        supportsWriteLog = backendFeatures & Self.logAllFeature != 0 && protocolFeatures & Self.protocolLogSharedMemory != 0
        if configSize > 0 {
            guard protocolFeatures & Self.protocolConfig != 0 else {
                throw VhostUserError.missingFeature(path: socketPath, feature: "VHOST_USER_PROTOCOL_F_CONFIG")
            }
            var request = VhostUserPayload()
            request.append(UInt32(0))  // offset
            request.append(UInt32(configSize))
            request.append(UInt32(0))  // flags
            request.bytes += [UInt8](repeating: 0, count: configSize)
            let reply = try connection.ask(.getConfig, request, step: "GET_CONFIG")
            guard reply.count == 12 + configSize else {
                throw VhostUserError.unexpectedReply(path: socketPath, step: "GET_CONFIG", request: VhostUserRequest.getConfig.rawValue,
                                                     flags: 0, size: UInt32(reply.count))
            }
            configSpace = Array(reply[12...])
        } else {
            configSpace = []
        }
    }

    /// A virtio-blk device served by a vhost-user-blk backend (e.g. qemu-storage-daemon
    /// or candor-blk). The capacity comes from the backend's configuration space.
    public static func block(socketPath: String, queueSize: UInt16 = 256, connectTimeout: TimeInterval = 5) throws -> VhostUserFrontend {
        try VhostUserFrontend(socketPath: socketPath, deviceID: .block, queueSize: queueSize, configSize: blockConfigSize,
                              hiddenFeatures: blockHiddenFeatures, connectTimeout: connectTimeout)
    }

    /// A virtio-rng device served by a vhost-user backend (e.g. candor-rng).
    public static func entropy(socketPath: String, queueSize: UInt16 = 64, connectTimeout: TimeInterval = 5) throws -> VhostUserFrontend {
        try VhostUserFrontend(socketPath: socketPath, deviceID: .entropy, queueSize: queueSize, connectTimeout: connectTimeout)
    }

    /// struct virtio_blk_config up to write_zeroes_may_unmap; CONFIG_WCE (bit 11) is
    /// hidden because configuration writes are not forwarded.
    static let blockConfigSize = 60
    static let blockHiddenFeatures: UInt64 = 1 << 11

    /// Starts `executable` (a driver such as candor-blk) with its end of a socketpair
    /// (`--fd N`) and shakes hands with it: the device it serves, owned by this frontend.
    public static func startDriver(_ deviceID: VirtioDeviceID, executable: String, arguments: [String],
                                   replyTimeout: Int = 10) throws -> VhostUserFrontend {
        let (process, socket) = try VhostUserBackendProcess.startConnected(executable: executable, arguments: arguments)
        let connection = VhostUserConnection(connectedSocket: socket, name: "\(executable) (pid \(process.processIdentifier))",
                                             replyTimeoutSeconds: replyTimeout)
        switch deviceID {
        case .block:
            return try VhostUserFrontend(connection: connection, process: process, deviceID: .block,
                                         configSize: blockConfigSize, hiddenFeatures: blockHiddenFeatures)
        case .network:
            return try VhostUserFrontend(connection: connection, process: process, deviceID: .network, queueCount: 2,
                                         configSize: networkConfigSize)
        default:
            return try VhostUserFrontend(connection: connection, process: process, deviceID: deviceID, queueSize: 64)
        }
    }

    deinit {
        // Queued work holds a reference, so none is left: stop here, on this thread.
        stopRings()
        notificationDescriptors.forEach { close($0) }
    }

    /// Checks what can be checked at once (memory shareable, region count) and queues the
    /// activation messages on the worker. The vCPU returns at once; a refusal or timeout
    /// later marks the device DEVICE_NEEDS_RESET through `context.fail`.
    public func activate(_ context: VirtioDeviceContext) throws {
        let regions = context.memory.regions
        guard regions.count <= Self.memoryRegionLimit else {
            throw VhostUserError.tooManyMemoryRegions(path: socketPath, count: regions.count, limit: Self.memoryRegionLimit)
        }
        var table = VhostUserPayload()
        table.append(UInt32(regions.count))
        table.append(UInt32(0))  // padding
        var fds: [Int32] = []
        for region in regions {
            guard let fd = region.fileDescriptor else {
                throw VhostUserError.memoryNotShareable(path: socketPath, region: region.start.description)
            }
            table.append(region.start.rawValue)
            table.append(region.size)
            table.append(UInt64(UInt(bitPattern: region.hostAddress)))  // userspace_addr
            table.append(UInt64(0))  // mmap_offset
            fds.append(fd)
        }
        let generation = shared.withLock { state -> Int in
            state.generation += 1
            state.backendGone = false
            return state.generation
        }
        worker.async { [self, table, fds] in
            stopRings()
            guard shared.withLock({ $0.generation == generation }) else { return }
            do {
                try start(context, table: table, fds: fds)
            } catch VhostUserError.backendClosed(let path, let step) {
                // Gone before it could start: the same as going away while running.
                shared.withLock { $0.context = context }
                context.withDeviceLock { backendHungUp(context, error: .backendClosed(path: path, step: step)) }
            } catch {
                context.fail("activation failed: \(error)")
            }
        }
    }

    /// On the worker: the memory table and every queue, then the call relay. Each ring
    /// starts at the queue's own next available index, or at `bases`' (a suspended ring's).
    private func start(_ context: VirtioDeviceContext, table: VhostUserPayload, fds: [Int32], bases: [Int: UInt16] = [:]) throws {
        let writeLog = shared.withLock { $0.writeLog }
        try sendWriteLog(writeLog, features: context.features)
        try connection.send(.setMemoryTable, table, fds: fds, step: "SET_MEM_TABLE")
        memoryTable = (table, fds)

        var calls: [(queue: Int, fd: Int32)] = []
        var started = false
        defer { if !started { calls.forEach { close($0.fd) } } }
        for (index, queue) in context.queues.enumerated() {
            guard let queue else { continue }
            let layout = queue.layout
            let step = "queue \(index)"
            try connection.send(.setVringNum, .vringState(index, UInt32(layout.size)), step: "\(step): SET_VRING_NUM")
            let base = bases[index] ?? queue.nextAvailable
            try connection.send(.setVringBase, .vringState(index, UInt32(base)), step: "\(step): SET_VRING_BASE")
            var address = VhostUserPayload()
            address.append(UInt32(index))
            // Used-ring writes are logged whenever VHOST_F_LOG_ALL is on.
            address.append(supportsWriteLog ? Self.vringLogFlag : 0)
            for (guestAddress, length) in [(layout.descriptorTable, 16 * UInt64(layout.size)),
                                           (layout.deviceArea, 6 + 8 * UInt64(layout.size)),
                                           (layout.driverArea, 6 + 2 * UInt64(layout.size))] {
                let host = try context.memory.hostPointer(at: guestAddress, length: length)
                address.append(UInt64(UInt(bitPattern: host)))
            }
            address.append(layout.deviceArea.rawValue)  // log_guest_addr
            try connection.send(.setVringAddress, address, step: "\(step): SET_VRING_ADDR")
            // Call before kick: a backend starts the ring on SET_VRING_KICK and must
            // already know where to signal.
            let call = try makeEventDescriptor(step: "\(step): SET_VRING_CALL")
            calls.append((index, call))
            try connection.send(.setVringCall, .u64(UInt64(index)), fds: [call], step: "\(step): SET_VRING_CALL")
            try connection.send(.setVringKick, .u64(UInt64(index)), fds: [notificationDescriptors[index]],
                                step: "\(step): SET_VRING_KICK")
            if backendFeatures & Self.protocolFeaturesBit != 0 {
                try connection.send(.setVringEnable, .vringState(index, 1), step: "\(step): SET_VRING_ENABLE")
            }
            // One kick: a restored ring may hold requests the guest made available and
            // never notified (it was paused in between), and not every backend looks at a
            // ring before its first kick. With nothing there, the backend finds nothing.
            kick(index)
        }
        relay = try CallRelay(calls: calls, notifications: notificationDescriptors, socket: connection.socket, path: socketPath,
                              context: context, onHangUp: { [weak self] in
            guard let self else { return }
            context.withDeviceLock {
                self.backendHungUp(context, error: .backendClosed(path: self.socketPath, step: "while the device was running"))
            }
        }, onNotifiedAfterHangUp: { [weak self] index in
            // Notifications KVM signalled straight into the eventfd: nobody else reads them now.
            context.withDeviceLock { try? self?.failRequests(queue: index) }
        })
        started = true
        shared.withLock { $0.context = context }
    }

    /// On the worker: the log (SET_LOG_BASE, answered when the backend mapped it) and the
    /// driver's features with VHOST_F_LOG_ALL while there is a log, without it otherwise.
    private func sendWriteLog(_ log: GuestWriteLog?, features: UInt64) throws {
        if let log {
            var description = VhostUserPayload()
            description.append(UInt64(log.byteCount))  // mmap_size
            description.append(UInt64(0))  // mmap_offset
            // The reply says the log is mapped; its value means nothing (libvhost-user
            // echoes mmap_size). A backend that cannot map it hangs up.
            _ = try connection.askU64(.setLogBase, description, fds: [log.fileDescriptor], step: "SET_LOG_BASE")
        }
        let logging = log == nil ? 0 : Self.logAllFeature
        try connection.send(.setFeatures, .u64(features | backendFeatures & Self.protocolFeaturesBit | logging), step: "SET_FEATURES")
    }

    /// Has the backend mark every page it writes in `log` from now on (a live migration
    /// starts), or stop marking (nil). A device the driver activates later starts with it.
    public func setWriteLog(_ log: GuestWriteLog?) throws {
        guard log == nil || supportsWriteLog else {
            throw VhostUserError.missingFeature(path: socketPath, feature: "VHOST_F_LOG_ALL with VHOST_USER_PROTOCOL_F_LOG_SHMFD")
        }
        try worker.sync {
            let context = shared.withLock { state -> VirtioDeviceContext? in
                state.writeLog = log
                return state.context
            }
            // A running backend switches now; a stopped one gets it when it starts.
            if let context, relay != nil { try sendWriteLog(log, features: context.features) }
        }
    }

    /// Stops every ring of the running backend (GET_VRING_BASE) for a snapshot or a
    /// migration: it takes no new request, so the rings' positions are known. Returns each
    /// ring's next available index by queue; empty when the device is not running. A
    /// request the backend took before may still be answered (the used index then reaches
    /// the returned index). `resumeAfterSuspend` starts the rings again.
    public func suspend() throws -> [Int: UInt16] {
        try worker.sync {
            guard relay != nil, let context = shared.withLock({ $0.context }) else { return [:] }
            var bases: [Int: UInt16] = [:]
            suspendedBases = bases
            for (index, queue) in context.queues.enumerated() where queue != nil {
                let step = "queue \(index): GET_VRING_BASE"
                let reply = try connection.ask(.getVringBase, .vringState(index, 0), step: step)
                guard reply.count == 8, let base = loadLittleEndian(reply, at: 4, as: UInt32.self), base <= UInt16.max else {
                    throw VhostUserError.unexpectedReply(path: socketPath, step: step, request: VhostUserRequest.getVringBase.rawValue,
                                                         flags: 0, size: UInt32(reply.count))
                }
                bases[index] = UInt16(base)
                suspendedBases = bases
            }
            return bases
        }
    }

    /// Starts the rings `suspend` stopped again, where they stopped (the VM goes on after
    /// a snapshot or a failed migration). Does nothing when none are stopped. A backend
    /// that fails to start marks the device DEVICE_NEEDS_RESET, as at activation.
    public func resumeAfterSuspend() {
        worker.sync {
            guard let bases = suspendedBases else { return }
            suspendedBases = nil
            guard let context = shared.withLock({ $0.context }), let memoryTable else { return }
            // The relay watches the old call eventfds; `start` makes new ones (a backend may
            // close its call eventfd when its ring stops, as libvhost-user does).
            relay?.stop()
            relay = nil
            do {
                try start(context, table: memoryTable.table, fds: memoryTable.fds, bases: bases)
            } catch {
                context.fail("starting the rings again after they were stopped for a snapshot or migration: \(error)")
            }
        }
    }

    /// Returns once the backend has finished what it was doing when called: a request it
    /// answers comes after its event loop turn, so the log marks of every buffer it used
    /// before are made (the shim marks after each write).
    public func synchronize() throws {
        try worker.sync {
            if relay != nil { _ = try connection.askU64(.getFeatures, step: "GET_FEATURES (synchronize)") }
        }
    }

    /// A notification that reached the VMM (no ioeventfd bound) becomes a write to the
    /// queue's eventfd, as KVM would have done.
    public func queueNotified(_ index: Int) throws {
        if shared.withLock({ $0.backendGone }) {
            try failRequests(queue: index)
            return
        }
        guard index < notificationDescriptors.count else { return }
        kick(index)
    }

    private func kick(_ index: Int) {
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the backend has a kick pending anyway.
        _ = Glibc.write(notificationDescriptors[index], &one, 8)
    }

    /// How long a reset waits for the backend to give the rings back. The driver may reuse
    /// ring memory right after its reset, so a working backend must have stopped by then;
    /// a hung one costs the resetting vCPU this much once, never the reply timeout.
    static let resetWait: Double = 0.2

    /// Stops the rings (GET_VRING_BASE, on the worker) so the backend lets go of guest
    /// memory, waiting at most `resetWait` for it.
    public func reset() {
        shared.withLock { $0.generation += 1 }
        let stopped = DispatchSemaphore(value: 0)
        worker.async { [self] in
            stopRings()
            stopped.signal()
        }
        _ = stopped.wait(timeout: .now() + Self.resetWait)
    }

    /// Waits until every message queued so far was sent and answered (or timed out).
    func waitForPendingWork() {
        worker.sync {}
    }

    /// The backend hung up (called by the relay under the device lock): the device needs a
    /// reset, and the rings are ours from the entries the backend never saw. Requests it
    /// had taken stay unanswered; new block requests get an I/O error at once.
    private func backendHungUp(_ context: VirtioDeviceContext, error: VhostUserError) {
        shared.withLock { $0.backendGone = true }
        context.fail(error.description + (deviceID == .block ? "; new requests fail with an I/O error" : ""))
        guard deviceID == .block else { return }
        for queue in context.queues { queue?.adoptRingPositions() }
    }

    /// Completes every available block request with VIRTIO_BLK_S_IOERR (1) in its status
    /// byte, the last writable byte of the chain.
    private func failRequests(queue index: Int) throws {
        guard deviceID == .block, let context = shared.withLock({ $0.context }),
              index < context.queues.count, let queue = context.queues[index] else { return }
        while let chain = try queue.popChain() {
            var written: UInt32 = 0
            if let status = chain.writable.last(where: { $0.length > 0 }) {
                try context.memory.store(UInt8(1), at: GuestAddress(status.address.rawValue + UInt64(status.length) - 1))
                written = 1
            }
            try queue.pushUsed(head: chain.head, written: written)
        }
        context.signalIfNeeded(queue)
    }

    /// On the worker (or in deinit): ends the relay and asks for every ring back.
    private func stopRings() {
        relay?.stop()
        relay = nil
        suspendedBases = nil
        let context = shared.withLock { state -> VirtioDeviceContext? in
            defer { state.context = nil }
            return state.context
        }
        if let context {
            for (index, queue) in context.queues.enumerated() where queue != nil {
                // A dead backend cannot answer; the device is being reset anyway.
                _ = try? connection.ask(.getVringBase, .vringState(index, 0), step: "queue \(index): GET_VRING_BASE")
            }
        }
    }

    private func makeEventDescriptor(step: String) throws -> Int32 {
        let fd = cposix_eventfd(0, 1)
        guard fd >= 0 else { throw VhostUserError.systemCall(path: socketPath, step: step, call: "eventfd", errno: errno) }
        return fd
    }
}

/// A thread that turns the backend's call eventfds into used-buffer interrupts and notices
/// the backend hanging up; after that it reads the queues' notification eventfds itself
/// (KVM may write them directly), so requests still get their error answer. It owns copies
/// of its descriptors and closes them when it ends, so `stop` never waits for it (it may be
/// waiting for the device lock that `stop`'s caller holds).
// @unchecked: its one property is an immutable descriptor; the thread has its own copies.
final class CallRelay: @unchecked Sendable {
    private let stopDescriptor: Int32

    init(calls: [(queue: Int, fd: Int32)], notifications: [Int32], socket: Int32, path: String, context: VirtioDeviceContext,
         onHangUp: @escaping @Sendable () -> Void, onNotifiedAfterHangUp: @escaping @Sendable (Int) -> Void) throws {
        let stopDescriptor = cposix_eventfd(0, 1)
        guard stopDescriptor >= 0 else { throw VhostUserError.systemCall(path: path, step: "start", call: "eventfd", errno: errno) }
        let copies = ([socket, stopDescriptor] + notifications).map { dup($0) }
        guard copies.allSatisfy({ $0 >= 0 }) else {
            let err = errno
            ([stopDescriptor] + copies).filter { $0 >= 0 }.forEach { close($0) }
            throw VhostUserError.systemCall(path: path, step: "start", call: "dup", errno: err)
        }
        self.stopDescriptor = copies[1]
        let watchedSocket = copies[0], watchedNotifications = Array(copies[2...])
        let callDescriptors = calls.map(\.fd)
        let thread = Thread {
            Self.run(stop: stopDescriptor, socket: watchedSocket, calls: callDescriptors, notifications: watchedNotifications,
                     path: path, context: context, onHangUp: onHangUp, onNotifiedAfterHangUp: onNotifiedAfterHangUp)
        }
        thread.name = "vhost-user call relay"
        thread.start()
    }

    func stop() {
        var one: UInt64 = 1
        _ = write(stopDescriptor, &one, 8)
        close(stopDescriptor)
    }

    private static func run(stop: Int32, socket: Int32, calls: [Int32], notifications: [Int32], path: String,
                            context: VirtioDeviceContext, onHangUp: () -> Void, onNotifiedAfterHangUp: (Int) -> Void) {
        defer { ([stop, socket] + calls + notifications).forEach { close($0) } }
        // The socket is watched for hang-up only: replies on it belong to the worker.
        var watched = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0), pollfd(fd: socket, events: 0, revents: 0)]
            + calls.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var hungUp = false
        while true {
            let ready = poll(&watched, nfds_t(watched.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                context.fail("vhost-user backend \(path): poll: \(String(cString: strerror(errno)))")
                return
            }
            if watched[0].revents != 0 { return }
            if hungUp {
                for index in 1..<watched.count where watched[index].revents & Int16(POLLIN) != 0 {
                    var count: UInt64 = 0
                    if read(watched[index].fd, &count, 8) == 8 { onNotifiedAfterHangUp(index - 1) }
                }
                continue
            }
            if watched[1].revents & Int16(POLLHUP | POLLERR) != 0 {
                onHangUp()
                // From now on: the stop descriptor and the notifications (index i + 1 is queue i).
                hungUp = true
                watched = [watched[0]] + notifications.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                continue
            }
            var called = false
            for index in 2..<watched.count where watched[index].revents & Int16(POLLIN) != 0 {
                var count: UInt64 = 0
                if read(watched[index].fd, &count, 8) == 8 { called = true }
            }
            if called { context.signalUsedBuffers() }
        }
    }
}
