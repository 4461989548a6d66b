// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Wires register-model devices into an address space (port I/O or MMIO): finds the
/// device for an address, turns guest bytes into register accesses, and forwards
/// interrupt line changes. One lock serializes all devices on the bus, so vCPU threads
/// and host input threads can share them.
// @unchecked: `mappings` and every device access are only touched with `lock` held; the
// devices themselves are not Sendable, which is why they are only reached through it.
final class IOBus: @unchecked Sendable {
    struct Mapping {
        let base: UInt64
        let length: UInt64
        let device: BusDevice
        let interrupt: UInt32?
        var interruptAsserted = false
    }

    struct Overlap: Error, Equatable, CustomStringConvertible {
        let base: UInt64
        let length: UInt64
        var description: String { "I/O bus: a device is already mapped in 0x\(String(base, radix: 16)) (+\(length) bytes)" }
    }

    /// One lock serializes every device on the bus.
    private let lock = Mutex(())
    private var mappings: [Mapping] = []
    /// Called (under the bus lock) when a device's interrupt output changes.
    private let setInterruptLine: (UInt32, Bool) throws -> Void

    init(setInterruptLine: @escaping (UInt32, Bool) throws -> Void = { _, _ in }) {
        self.setInterruptLine = setInterruptLine
    }

    func insert(_ device: BusDevice, base: UInt64, length: UInt64, interrupt: UInt32? = nil) throws {
        let end = base + length
        try withLock {
            if mappings.contains(where: { base < $0.base + $0.length && $0.base < end }) {
                throw Overlap(base: base, length: length)
            }
            mappings.append(Mapping(base: base, length: length, device: device, interrupt: interrupt))
            mappings.sort { $0.base < $1.base }
        }
    }

    private func withLock<R: Sendable>(_ body: () throws -> R) throws -> R {
        try lock.withLock { _ in try body() }
    }

    private static func index(of address: UInt64, in mappings: [Mapping]) -> Int? {
        mappings.firstIndex { address >= $0.base && address - $0.base < $0.length }
    }

    /// A guest read of `data.count` bytes at `address`, as accesses of `size` bytes.
    /// Reads nothing claims return all ones, like an open bus.
    func read(address: UInt64, size: Int, into data: UnsafeMutableRawBufferPointer) throws {
        try withLock {
            guard let i = Self.index(of: address, in: mappings), size > 0 else {
                for j in data.indices { data[j] = 0xff }
                return
            }
            let step = min(size, 8)
            for start in stride(from: 0, to: data.count, by: step) {
                let value = mappings[i].device.read(offset: address - mappings[i].base, size: step)
                for byte in 0..<min(step, data.count - start) {
                    data[start + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
                }
            }
            try updateInterrupt(&mappings[i])
        }
    }

    /// A guest write; returns the first request a device made. Unclaimed writes are dropped.
    func write(address: UInt64, size: Int, data: UnsafeRawBufferPointer) throws -> DeviceRequest? {
        try withLock {
            guard let i = Self.index(of: address, in: mappings), size > 0 else { return nil }
            var request: DeviceRequest?
            let step = min(size, 8)
            for start in stride(from: 0, to: data.count, by: step) {
                var value: UInt64 = 0
                for byte in 0..<min(step, data.count - start) {
                    value |= UInt64(data[start + byte]) << (8 * UInt64(byte))
                }
                let made = mappings[i].device.write(offset: address - mappings[i].base, size: step, value: value)
                request = request ?? made
            }
            try updateInterrupt(&mappings[i])
            return request
        }
    }

    /// Runs `body` with `device` while holding the bus lock, then forwards its interrupt
    /// line: how host-side input (e.g. bytes for the UART) reaches a device.
    func withDevice<D: BusDevice, R: Sendable>(_ device: D, _ body: (D) -> R) throws -> R {
        try withLock {
            let result = body(device)
            if let i = mappings.firstIndex(where: { $0.device === device }) { try updateInterrupt(&mappings[i]) }
            return result
        }
    }

    private func updateInterrupt(_ mapping: inout Mapping) throws {
        guard let line = mapping.interrupt, let source = mapping.device as? InterruptSource else { return }
        let asserted = source.interruptAsserted
        guard asserted != mapping.interruptAsserted else { return }
        mapping.interruptAsserted = asserted
        try setInterruptLine(line, asserted)
    }
}
