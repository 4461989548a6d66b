// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// libFuzzer target: random descriptor tables and rings in guest memory, walked by the
// virtqueue code and the built-in devices. Nothing may trap, hang or touch memory
// outside the guest regions (AddressSanitizer watches).
//
// Input: byte 0 picks the queue size (2^(1..8)), byte 1 the ring features, byte 2 the
// mode: the virtqueue alone, virtio-rng or virtio-console set up as a driver would, or
// virtio-console driven by register accesses taken from the input's last 512 bytes. The rest fills guest memory: region A [0, 0x4000) holds the descriptor table
// at 0, the available ring at 0x1000 and the used ring at 0x2000; region B [0x5000,
// 0x6000) sits after a hole, so buffers may straddle it or fall in it.

import Devices
import Glibc
import GuestMemory

let memory = try! GuestMemory(ranges: [(GuestAddress(0), 0x4000), (GuestAddress(0x5000), 0x1000)])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVirtqueue(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard input.count >= 3 else { return 0 }
    let queueSize = UInt16(1) << (input[0] % 8 + 1)
    var features = VirtioFeatures.version1
    if input[1] & 1 != 0 { features |= VirtioFeatures.indirectDescriptors }
    if input[1] & 2 != 0 { features |= VirtioFeatures.eventIndex }
    let contents = input.dropFirst(3)
    for region in memory.regions { memset(region.hostAddress, 0, Int(region.size)) }
    let inA = contents.prefix(0x4000)
    try! memory.write(inA, at: GuestAddress(0))
    try! memory.write(contents.dropFirst(inA.count).prefix(0x1000), at: GuestAddress(0x5000))

    switch input[2] % 4 {
    case 0: walkQueue(queueSize: queueSize, features: features)
    case 1: driveDevice(VirtioEntropy(queueSize: queueSize), queueSize: queueSize, features: features, queues: [0])
    case 2: driveDevice(VirtioConsole(queueSize: queueSize) { _ in }, queueSize: queueSize, features: features, queues: [1, 0])
    default: accessRegisters(Array(contents.suffix(512)))
    }
    return 0
}

let layout = { (size: UInt16) in
    VirtqueueLayout(size: size, descriptorTable: GuestAddress(0), driverArea: GuestAddress(0x1000), deviceArea: GuestAddress(0x2000))
}

/// The virtqueue alone: pop every chain (at most two rounds of the ring), touch every
/// buffer, return it used.
func walkQueue(queueSize: UInt16, features: UInt64) {
    guard let queue = try? Virtqueue(memory: memory, layout: layout(queueSize), maximumSize: 256, features: features) else { return }
    var checksum: UInt8 = 0
    for _ in 0..<(2 * Int(queueSize)) {
        do {
            guard let chain = try queue.popChain() else { break }
            try chain.forEachReadable(in: memory, chunk: 512) { bytes in
                for byte in bytes { checksum &+= byte }
            }
            let written = try chain.fillWritable(in: memory) { destination in
                destination.initializeMemory(as: UInt8.self, repeating: checksum)
                return destination.count
            }
            try queue.pushUsed(head: chain.head, written: written)
            _ = queue.needsInterrupt()
        } catch {
            return
        }
    }
}

/// A built-in device behind the MMIO transport, set up and notified as a driver would.
func driveDevice(_ backend: VirtioDeviceBackend, queueSize: UInt16, features: UInt64, queues: [Int]) {
    let device = VirtioMMIODevice(backend: backend, memory: memory, name: "fuzz") { _ in }
    func write(_ register: VirtioMMIODevice.Register, _ value: UInt64) { device.write(offset: register.rawValue, size: 4, value: value) }
    write(.status, 1 | 2)
    write(.driverFeaturesSelect, 0)
    write(.driverFeatures, features & 0xffff_ffff)
    write(.driverFeaturesSelect, 1)
    write(.driverFeatures, features >> 32)
    write(.status, 1 | 2 | 8)
    for index in queues {
        let ring = layout(queueSize)
        write(.queueSelect, UInt64(index))
        write(.queueSize, UInt64(queueSize))
        write(.queueDescriptorLow, ring.descriptorTable.rawValue)
        write(.queueDriverLow, ring.driverArea.rawValue)
        write(.queueDeviceLow, ring.deviceArea.rawValue)
        write(.queueReady, 1)
    }
    write(.status, 1 | 2 | 8 | 4)
    for index in queues { write(.queueNotify, UInt64(index)) }
    (backend as? VirtioConsole)?.receive(Array(repeating: 0x41, count: 100))
    write(.interruptAcknowledge, device.read(offset: VirtioMMIODevice.Register.interruptStatus.rawValue, size: 4))
    write(.status, 0)
}

/// Arbitrary register accesses: each 8 bytes are an offset (2 bytes), a size selector, a
/// read/write flag and a 32-bit value.
func accessRegisters(_ script: [UInt8]) {
    let device = VirtioMMIODevice(backend: VirtioConsole(queueSize: 16) { _ in }, memory: memory, name: "fuzz") { _ in }
    var index = 0
    while index + 8 <= script.count {
        let offset = UInt64(script[index]) | UInt64(script[index + 1]) << 8
        let size = [1, 2, 4, 8][Int(script[index + 2] % 4)]
        var value: UInt64 = 0
        for byte in 0..<4 { value |= UInt64(script[index + 4 + byte]) << (8 * byte) }
        if script[index + 3] & 1 == 0 {
            _ = device.read(offset: offset, size: size)
        } else {
            device.write(offset: offset, size: size, value: value)
        }
        index += 8
    }
}
