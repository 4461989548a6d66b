// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
#if canImport(Glibc)
import Glibc
#endif

/// Wires register-model devices into an address space (port I/O or MMIO): finds the
/// device for an address, turns guest bytes into register accesses, and forwards
/// interrupt line changes. One lock serializes all devices on the bus, so vCPU threads
/// and host input threads can share them.
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

    private var mappings: [Mapping] = []
    private var lock = pthread_mutex_t()
    /// Called (under the bus lock) when a device's interrupt output changes.
    private let setInterruptLine: (UInt32, Bool) throws -> Void

    init(setInterruptLine: @escaping (UInt32, Bool) throws -> Void = { _, _ in }) {
        self.setInterruptLine = setInterruptLine
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    func insert(_ device: BusDevice, base: UInt64, length: UInt64, interrupt: UInt32? = nil) throws {
        let end = base + length
        if mappings.contains(where: { base < $0.base + $0.length && $0.base < end }) {
            throw Overlap(base: base, length: length)
        }
        mappings.append(Mapping(base: base, length: length, device: device, interrupt: interrupt))
        mappings.sort { $0.base < $1.base }
    }

    private func index(of address: UInt64) -> Int? {
        mappings.firstIndex { address >= $0.base && address - $0.base < $0.length }
    }

    /// A guest read of `data.count` bytes at `address`, as accesses of `size` bytes.
    /// Reads nothing claims return all ones, like an open bus.
    func read(address: UInt64, size: Int, into data: UnsafeMutableRawBufferPointer) throws {
        try withLock {
            guard let i = index(of: address), size > 0 else {
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
            try updateInterrupt(i)
        }
    }

    /// A guest write; returns the first request a device made. Unclaimed writes are dropped.
    func write(address: UInt64, size: Int, data: UnsafeRawBufferPointer) throws -> DeviceRequest? {
        try withLock {
            guard let i = index(of: address), size > 0 else { return nil }
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
            try updateInterrupt(i)
            return request
        }
    }

    /// Runs `body` with `device` while holding the bus lock, then forwards its interrupt
    /// line: how host-side input (e.g. bytes for the UART) reaches a device.
    func withDevice<D: BusDevice, R>(_ device: D, _ body: (D) -> R) throws -> R {
        try withLock {
            let result = body(device)
            if let i = mappings.firstIndex(where: { $0.device === device }) { try updateInterrupt(i) }
            return result
        }
    }

    private func updateInterrupt(_ i: Int) throws {
        guard let line = mappings[i].interrupt, let source = mappings[i].device as? InterruptSource else { return }
        let asserted = source.interruptAsserted
        guard asserted != mappings[i].interruptAsserted else { return }
        mappings[i].interruptAsserted = asserted
        try setInterruptLine(line, asserted)
    }

    private func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return try body()
    }
}
