// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
import Devices
import Foundation
import GuestMemory

/// A virtio device whose work a separate backend process does over vhost-user (QEMU
/// docs/interop/vhost-user.rst): guest memory is shared by file descriptor, the backend
/// reads and writes the rings itself, kicks go to it and its calls come back through
/// eventfds. The transport (`VirtioMMIODevice`) still owns the registers; this is its backend.
public final class VhostUserFrontend: VirtioDeviceBackend {
    /// GET_FEATURES bit saying the backend speaks protocol features; never shown to the guest.
    static let protocolFeaturesBit: UInt64 = 1 << 30
    static let protocolReplyAck: UInt64 = 1 << 3
    static let protocolConfig: UInt64 = 1 << 9
    /// VHOST_MEMORY_BASELINE_NREGIONS.
    static let memoryRegionLimit = 8
    /// Bits the guest may see: device-specific bits 0-23 and what a split ring on shared
    /// memory supports. Others (IOMMU, packed rings, logging) need frontend support we lack.
    static let guestVisibleFeatures: UInt64 = (1 << 24 - 1) | VirtioFeatures.builtInRing

    public let deviceID: VirtioDeviceID
    public let features: UInt64
    public let queueMaximumSizes: [UInt16]
    public let configSpace: [UInt8]
    public let socketPath: String

    private let connection: VhostUserConnection
    /// The backend process when the VMM started it: it lives as long as the device.
    public var backendProcess: VhostUserBackendProcess?
    private let backendFeatures: UInt64
    private var kickDescriptors: [Int32?] = []
    private var relay: CallRelay?
    private var context: VirtioDeviceContext?
    /// Set when the backend hung up while running: a block device then answers new
    /// requests itself, with VIRTIO_BLK_S_IOERR, until the driver resets it.
    private var backendGone = false
    public var servesAfterFailure: Bool { backendGone && deviceID == .block }

    /// Connects to the backend listening at `socketPath` and learns its features and
    /// configuration space (`configSize` bytes; 0 for none). A backend that does not
    /// answer a request within `replyTimeout` seconds counts as broken.
    public init(socketPath: String, deviceID: VirtioDeviceID, queueCount: Int = 1, queueSize: UInt16 = 256,
                configSize: Int = 0, hiddenFeatures: UInt64 = 0, connectTimeout: TimeInterval = 5,
                replyTimeout: Int = 10) throws {
        self.socketPath = socketPath
        self.deviceID = deviceID
        self.queueMaximumSizes = Array(repeating: queueSize, count: queueCount)
        let connection = try VhostUserConnection(path: socketPath, timeout: connectTimeout, replyTimeoutSeconds: replyTimeout)
        self.connection = connection
        try connection.send(.setOwner, step: "SET_OWNER")
        backendFeatures = try connection.askU64(.getFeatures, step: "GET_FEATURES")
        guard backendFeatures & VirtioFeatures.version1 != 0 else {
            throw VhostUserError.missingFeature(path: socketPath, feature: "VIRTIO_F_VERSION_1")
        }
        var protocolFeatures: UInt64 = 0
        if backendFeatures & Self.protocolFeaturesBit != 0 {
            let offered = try connection.askU64(.getProtocolFeatures, step: "GET_PROTOCOL_FEATURES")
            protocolFeatures = offered & (Self.protocolReplyAck | Self.protocolConfig)
            try connection.send(.setProtocolFeatures, .u64(protocolFeatures), step: "SET_PROTOCOL_FEATURES")
            connection.replyAcknowledgements = protocolFeatures & Self.protocolReplyAck != 0
        }
        features = backendFeatures & Self.guestVisibleFeatures & ~hiddenFeatures
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
        // struct virtio_blk_config up to write_zeroes_may_unmap; CONFIG_WCE (bit 11) is
        // hidden because configuration writes are not forwarded.
        try VhostUserFrontend(socketPath: socketPath, deviceID: .block, queueSize: queueSize, configSize: 60,
                              hiddenFeatures: 1 << 11, connectTimeout: connectTimeout)
    }

    /// A virtio-rng device served by a vhost-user backend (e.g. candor-rng).
    public static func entropy(socketPath: String, queueSize: UInt16 = 64, connectTimeout: TimeInterval = 5) throws -> VhostUserFrontend {
        try VhostUserFrontend(socketPath: socketPath, deviceID: .entropy, queueSize: queueSize, connectTimeout: connectTimeout)
    }

    deinit {
        stop()
    }

    public func activate(_ context: VirtioDeviceContext) throws {
        stop()
        self.context = context
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
        try connection.send(.setFeatures, .u64(context.features | backendFeatures & Self.protocolFeaturesBit), step: "SET_FEATURES")
        try connection.send(.setMemoryTable, table, fds: fds, step: "SET_MEM_TABLE")

        var calls: [(queue: Int, fd: Int32)] = []
        defer { if relay == nil { calls.forEach { close($0.fd) } } }
        kickDescriptors = Array(repeating: nil, count: context.queues.count)
        for (index, queue) in context.queues.enumerated() {
            guard let queue else { continue }
            let layout = queue.layout
            let step = "queue \(index)"
            try connection.send(.setVringNum, .vringState(index, UInt32(layout.size)), step: "\(step): SET_VRING_NUM")
            try connection.send(.setVringBase, .vringState(index, UInt32(queue.nextAvailable)), step: "\(step): SET_VRING_BASE")
            var address = VhostUserPayload()
            address.append(UInt32(index))
            address.append(UInt32(0))  // flags: no dirty logging
            for (guestAddress, length) in [(layout.descriptorTable, 16 * UInt64(layout.size)),
                                           (layout.deviceArea, 6 + 8 * UInt64(layout.size)),
                                           (layout.driverArea, 6 + 2 * UInt64(layout.size))] {
                let host = try context.memory.hostPointer(at: guestAddress, length: length)
                address.append(UInt64(UInt(bitPattern: host)))
            }
            address.append(UInt64(0))  // log_guest_addr
            try connection.send(.setVringAddress, address, step: "\(step): SET_VRING_ADDR")
            // Call before kick: a backend starts the ring on SET_VRING_KICK and must
            // already know where to signal.
            let call = try makeEventDescriptor(step: "\(step): SET_VRING_CALL")
            calls.append((index, call))
            try connection.send(.setVringCall, .u64(UInt64(index)), fds: [call], step: "\(step): SET_VRING_CALL")
            let kick = try makeEventDescriptor(step: "\(step): SET_VRING_KICK")
            kickDescriptors[index] = kick
            try connection.send(.setVringKick, .u64(UInt64(index)), fds: [kick], step: "\(step): SET_VRING_KICK")
            if backendFeatures & Self.protocolFeaturesBit != 0 {
                try connection.send(.setVringEnable, .vringState(index, 1), step: "\(step): SET_VRING_ENABLE")
            }
        }
        backendGone = false
        relay = try CallRelay(calls: calls, socket: connection.socket, path: socketPath, context: context) { [weak self] in
            context.withDeviceLock { self?.backendHungUp(context) }
        }
    }

    /// The guest's notification becomes a write to the queue's kick eventfd.
    public func queueNotified(_ index: Int) throws {
        if backendGone {
            try failRequests(queue: index)
            return
        }
        guard index < kickDescriptors.count, let kick = kickDescriptors[index] else { return }
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the backend has a kick pending anyway.
        _ = Glibc.write(kick, &one, 8)
    }

    /// Stops the rings (GET_VRING_BASE) so the backend lets go of guest memory.
    public func reset() {
        stop()
    }

    /// The backend hung up (called by the relay under the device lock): the device needs a
    /// reset, and the rings are ours from the entries the backend never saw. Requests it
    /// had taken stay unanswered; new block requests get an I/O error at once.
    private func backendHungUp(_ context: VirtioDeviceContext) {
        backendGone = true
        context.fail(VhostUserError.backendClosed(path: socketPath, step: "while the device was running").description
                     + (deviceID == .block ? "; new requests fail with an I/O error" : ""))
        guard deviceID == .block else { return }
        for queue in context.queues { queue?.adoptRingPositions() }
    }

    /// Completes every available block request with VIRTIO_BLK_S_IOERR (1) in its status
    /// byte, the last writable byte of the chain.
    private func failRequests(queue index: Int) throws {
        guard deviceID == .block, let context, index < context.queues.count, let queue = context.queues[index] else { return }
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

    private func stop() {
        relay?.stop()
        relay = nil
        if let context {
            for (index, queue) in context.queues.enumerated() where queue != nil {
                // A dead backend cannot answer; the device is being reset anyway.
                _ = try? connection.ask(.getVringBase, .vringState(index, 0), step: "queue \(index): GET_VRING_BASE")
            }
        }
        context = nil
        kickDescriptors.compactMap { $0 }.forEach { close($0) }
        kickDescriptors = []
    }

    private func makeEventDescriptor(step: String) throws -> Int32 {
        let fd = cposix_eventfd(0, 1)
        guard fd >= 0 else { throw VhostUserError.systemCall(path: socketPath, step: step, call: "eventfd", errno: errno) }
        return fd
    }
}

/// A thread that turns the backend's call eventfds into used-buffer interrupts and notices
/// the backend hanging up. It owns its descriptors and closes them when it ends, so `stop`
/// never waits for it (it may be waiting for the device lock that `stop`'s caller holds).
final class CallRelay: @unchecked Sendable {
    private let stopDescriptor: Int32

    init(calls: [(queue: Int, fd: Int32)], socket: Int32, path: String, context: VirtioDeviceContext,
         onHangUp: @escaping @Sendable () -> Void) throws {
        let stopDescriptor = cposix_eventfd(0, 1)
        guard stopDescriptor >= 0 else { throw VhostUserError.systemCall(path: path, step: "start", call: "eventfd", errno: errno) }
        let watchedSocket = dup(socket)
        let signalDescriptor = dup(stopDescriptor)
        guard watchedSocket >= 0, signalDescriptor >= 0 else {
            let err = errno
            [stopDescriptor, watchedSocket, signalDescriptor].filter { $0 >= 0 }.forEach { close($0) }
            throw VhostUserError.systemCall(path: path, step: "start", call: "dup", errno: err)
        }
        self.stopDescriptor = signalDescriptor
        let thread = Thread {
            Self.run(stop: stopDescriptor, socket: watchedSocket, calls: calls.map(\.fd), path: path, context: context, onHangUp: onHangUp)
        }
        thread.name = "vhost-user call relay"
        thread.start()
    }

    func stop() {
        var one: UInt64 = 1
        _ = write(stopDescriptor, &one, 8)
        close(stopDescriptor)
    }

    private static func run(stop: Int32, socket: Int32, calls: [Int32], path: String, context: VirtioDeviceContext,
                            onHangUp: () -> Void) {
        defer { ([stop, socket] + calls).forEach { close($0) } }
        // The socket is watched for hang-up only: replies on it belong to the vCPU thread.
        var watched = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0), pollfd(fd: socket, events: 0, revents: 0)]
            + calls.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let ready = poll(&watched, nfds_t(watched.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                context.fail("vhost-user backend \(path): poll: \(String(cString: strerror(errno)))")
                return
            }
            if watched[0].revents != 0 { return }
            if watched[1].revents & Int16(POLLHUP | POLLERR) != 0 {
                onHangUp()
                return
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
