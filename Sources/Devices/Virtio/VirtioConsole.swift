// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// virtio-console (virtio 1.2 §5.3), one port, no multiport: what the guest writes to the
/// transmit queue goes to `output`; bytes given to `receive` fill the receive queue.
public final class VirtioConsole: VirtioDeviceBackend {
    public static let receiveQueue = 0
    public static let transmitQueue = 1
    /// Input held while the guest has no receive buffers; more than this is dropped.
    public static let pendingInputLimit = 1 << 20

    public let deviceID = VirtioDeviceID.console
    public let features = VirtioFeatures.builtInRing
    public let queueMaximumSizes: [UInt16]
    /// cols, rows, max_nr_ports, emerg_wr: all zero, as no console feature is offered.
    public let configSpace = [UInt8](repeating: 0, count: 12)

    private let output: ([UInt8]) -> Void
    // Guards `pending` and `context`; taken after the transport lock, never before it.
    private let inputLock = NSLock()
    private var pending: [UInt8] = []
    private var context: VirtioDeviceContext?

    /// `output` receives the guest's console output in order, from the vCPU thread.
    public init(queueSize: UInt16 = 256, output: @escaping ([UInt8]) -> Void) {
        self.queueMaximumSizes = [queueSize, queueSize]
        self.output = output
    }

    /// Queues console input (e.g. from stdin) for the guest; safe from any thread.
    public func receive(_ bytes: [UInt8]) {
        let context: VirtioDeviceContext? = inputLock.withLock {
            pending.append(contentsOf: bytes.prefix(max(0, Self.pendingInputLimit - pending.count)))
            return self.context
        }
        if let context { context.withDeviceLock { deliverInput(context) } }
    }

    public func activate(_ context: VirtioDeviceContext) throws {
        inputLock.withLock { self.context = context }
        deliverInput(context)
    }

    public func queueNotified(_ index: Int) throws {
        guard let context = inputLock.withLock({ self.context }) else { return }
        switch index {
        case Self.receiveQueue: deliverInput(context)
        case Self.transmitQueue: try transmit(context)
        default: break
        }
    }

    public func reset() {
        inputLock.withLock { context = nil }
    }

    private func transmit(_ context: VirtioDeviceContext) throws {
        guard let queue = context.queues[Self.transmitQueue] else { return }
        while let chain = try queue.popChain() {
            try chain.forEachReadable(in: context.memory) { output(Array($0)) }
            try queue.pushUsed(head: chain.head, written: 0)
        }
        context.signalIfNeeded(queue)
    }

    /// Moves pending input into receive buffers. Called with the transport lock held.
    private func deliverInput(_ context: VirtioDeviceContext) {
        guard let queue = context.queues[Self.receiveQueue] else { return }
        do {
            while inputLock.withLock({ !pending.isEmpty }), let chain = try queue.popChain() {
                let written = try inputLock.withLock {
                    var taken = 0
                    let written = try chain.fillWritable(in: context.memory) { destination in
                        let count = min(destination.count, pending.count - taken)
                        pending.withUnsafeBytes { source in
                            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[taken..<taken + count]))
                        }
                        taken += count
                        return count
                    }
                    pending.removeFirst(taken)
                    return written
                }
                try queue.pushUsed(head: chain.head, written: written)
            }
            context.signalIfNeeded(queue)
        } catch {
            context.fail("receive queue: \(error)")
        }
    }
}
