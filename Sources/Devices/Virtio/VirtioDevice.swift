// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import GuestMemory

/// Virtio device types (virtio 1.2 §5).
public enum VirtioDeviceID: UInt32, Sendable {
    case network = 1
    case block = 2
    case console = 3
    case entropy = 4
}

/// Feature bits the transport and the split virtqueue know (virtio 1.2 §6).
public enum VirtioFeatures {
    public static let indirectDescriptors: UInt64 = 1 << 28
    public static let eventIndex: UInt64 = 1 << 29
    public static let version1: UInt64 = 1 << 32
    /// What `Virtqueue` implements; built-in devices offer these on top of their own bits.
    public static let builtInRing: UInt64 = indirectDescriptors | eventIndex | version1
}

/// The device half of a virtio device: the transport (`VirtioMMIODevice`) owns registers,
/// feature negotiation and queue setup, and hands the work to its backend. Built-in devices
/// and the vhost-user frontend implement this. All calls come with the transport's lock held.
public protocol VirtioDeviceBackend: AnyObject {
    var deviceID: VirtioDeviceID { get }
    /// Every feature bit the device offers, VIRTIO_F_VERSION_1 included.
    var features: UInt64 { get }
    /// Largest size of each queue; the count is the number of queues.
    var queueMaximumSizes: [UInt16] { get }
    /// The device-specific configuration space (read at offset 0x100 of the transport).
    var configSpace: [UInt8] { get }
    /// The driver wrote `bytes` at `offset` into the configuration space.
    func writeConfig(offset: Int, bytes: [UInt8])
    /// The driver set DRIVER_OK: start working with the negotiated features and queues.
    func activate(_ context: VirtioDeviceContext) throws
    /// The driver notified queue `index` (only after `activate`).
    func queueNotified(_ index: Int) throws
    /// The driver reset the device (status 0): stop and forget the queues.
    func reset()
    /// Whether notifications still reach `queueNotified` once the device needs a reset
    /// (a backend that answers requests with errors until then); false by default.
    var servesAfterFailure: Bool { get }
}

extension VirtioDeviceBackend {
    public var servesAfterFailure: Bool { false }
    public func writeConfig(offset: Int, bytes: [UInt8]) {}
}

/// What an activated backend works with: memory, negotiated features, the queues the driver
/// made ready, and the way back to the driver. Valid until the next reset; calls after that
/// do nothing, so a backend thread that races a reset is harmless.
// @unchecked: every property is immutable except `transport`, a weak reference set once;
// the queues are only touched under the transport's lock (`withDeviceLock`).
public final class VirtioDeviceContext: @unchecked Sendable {
    public let memory: GuestMemory
    public let features: UInt64
    /// Indexed by queue number; nil for a queue the driver did not enable.
    public let queues: [Virtqueue?]
    weak var transport: VirtioMMIODevice?

    init(memory: GuestMemory, features: UInt64, queues: [Virtqueue?], transport: VirtioMMIODevice) {
        self.memory = memory
        self.features = features
        self.queues = queues
        self.transport = transport
    }

    /// Runs `body` under the transport's lock while this context is current, else not at
    /// all. Work triggered from outside a register access (console input, a backend thread)
    /// goes through here so it never races the vCPU.
    @discardableResult
    public func withDeviceLock<T>(_ body: () throws -> T) rethrows -> T? {
        guard let transport else { return nil }
        return try transport.locked { transport.context === self ? try body() : nil }
    }

    /// Raises the used-buffer interrupt (virtio-mmio has one line for all queues).
    public func signalUsedBuffers() {
        withDeviceLock { transport?.raiseInterrupt(VirtioMMIODevice.interruptUsedBuffer) }
    }

    /// Raises the used-buffer interrupt if `queue` says the driver wants one now.
    public func signalIfNeeded(_ queue: Virtqueue) {
        if queue.needsInterrupt() { signalUsedBuffers() }
    }

    /// The device cannot go on: DEVICE_NEEDS_RESET, a configuration-change interrupt, and
    /// `message` logged once.
    public func fail(_ message: String) {
        withDeviceLock { transport?.markNeedsReset(message) }
    }
}
