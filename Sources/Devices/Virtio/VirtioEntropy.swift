// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// virtio-rng (virtio 1.2 §5.4): fills each request with bytes from the host's
/// `SystemRandomNumberGenerator` (getrandom(2) on Linux).
public final class VirtioEntropy: VirtioDeviceBackend {
    /// Bytes per request at most; the driver asks again for more.
    public static let requestLimit: UInt64 = 65536

    public let deviceID = VirtioDeviceID.entropy
    public let features = VirtioFeatures.builtInRing
    public let queueMaximumSizes: [UInt16]
    public let configSpace: [UInt8] = []
    private var context: VirtioDeviceContext?

    public init(queueSize: UInt16 = 64) {
        queueMaximumSizes = [queueSize]
    }

    public func activate(_ context: VirtioDeviceContext) throws {
        self.context = context
    }

    public func queueNotified(_ index: Int) throws {
        guard let context, let queue = context.queues[0] else { return }
        var generator = SystemRandomNumberGenerator()
        while let chain = try queue.popChain() {
            let written = try chain.fillWritable(in: context.memory, limit: Self.requestLimit) { destination in
                var offset = 0
                while offset < destination.count {
                    let word = generator.next()
                    let count = min(8, destination.count - offset)
                    for byte in 0..<count { destination[offset + byte] = UInt8(truncatingIfNeeded: word >> (8 * byte)) }
                    offset += count
                }
                return destination.count
            }
            try queue.pushUsed(head: chain.head, written: written)
        }
        context.signalIfNeeded(queue)
    }

    public func reset() {
        context = nil
    }
}
