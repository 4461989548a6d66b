// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Foundation
import GuestMemory
import VhostUser

/// Virtio-mmio devices placed on the MMIO bus in the windows and on the interrupt lines
/// that `Layout` reserves for them.
public struct VirtioDeviceAttachment {

    public enum AttachError: Error, CustomStringConvertible {
        case tooManyDevices(Int, limit: Int)
        case device(index: Int, VirtioDeviceSpecification, Error)

        public var description: String {
            switch self {
            case let .tooManyDevices(count, limit):
                return "--device: \(count) virtio devices, at most \(limit)"
            case let .device(index, specification, error):
                return "--device #\(index + 1) (\(specification)): \(error)"
            }
        }
    }

    public let slots: [VirtioMMIOSlot]
    public let devices: [VirtioMMIODevice]

    /// `virtio_mmio.device=...` for every device, to append to the kernel command line.
    public var kernelCommandLine: String { VirtioMMIOSlot.kernelCommandLine(for: slots) }
    /// The devices for the ACPI DSDT (`ACPITables(devices:)`).
    public var acpiDevices: [VirtioMMIODeviceDescription] {
        slots.map { VirtioMMIODeviceDescription(base: $0.base, size: $0.size, interrupt: $0.irq) }
    }

    /// Creates each device (starting and connecting to backends), maps it on `bus`, and
    /// routes its interrupt to `setInterruptLine`. `bindNotification(address, queue, fd)`,
    /// when given, makes a guest write of `queue` at `address` signal `fd` without an exit
    /// (KVM_IOEVENTFD): vhost-user queue notifications then go straight to the backend.
    /// `bindInterrupt(line, event, resample)`, when given, drives a vhost-user device's
    /// line through KVM_IRQFD with resampling (`InterruptEventLine`) instead of
    /// `setInterruptLine`.
    static func attach(_ specifications: [VirtioDeviceSpecification], memory: GuestMemory, bus: IOBus,
                       bindNotification: ((GuestAddress, UInt64, Int32) throws -> Void)? = nil,
                       bindInterrupt: ((UInt32, Int32, Int32) throws -> Void)? = nil,
                       setInterruptLine: @escaping (UInt32, Bool) throws -> Void) throws -> VirtioDeviceAttachment {
        guard specifications.count <= Layout.virtioInterruptLines.count else {
            throw AttachError.tooManyDevices(specifications.count, limit: Layout.virtioInterruptLines.count)
        }
        var slots: [VirtioMMIOSlot] = []
        var devices: [VirtioMMIODevice] = []
        for (index, specification) in specifications.enumerated() {
            let slot = VirtioMMIOSlot(base: GuestAddress(Layout.virtioWindowsStart.rawValue + UInt64(index) * Layout.virtioWindowSize),
                                      irq: Layout.virtioInterruptLines[index])
            let device: VirtioMMIODevice
            do {
                device = VirtioMMIODevice(backend: try makeBackend(specification),
                                          memory: memory, name: "virtio@\(slot.base)")
            } catch {
                throw AttachError.device(index: index, specification, error)
            }
            // Straight to the interrupt controller, not through the bus: a backend thread
            // may raise it while no vCPU touches the device.
            let line = slot.irq
            if let bindInterrupt, device.backend is VhostUserFrontend {
                do {
                    let eventLine = try InterruptEventLine(line: line, bind: { try bindInterrupt(line, $0, $1) },
                                                           isAsserted: { [weak device] in device?.interruptAsserted ?? false })
                    // KVM lowers the line at the guest's EOI; only raising is ours.
                    device.onInterruptChange = { if $0 { eventLine.raise() } }
                } catch {
                    throw AttachError.device(index: index, specification, error)
                }
            } else {
                device.onInterruptChange = { asserted in
                    do { try setInterruptLine(line, asserted) } catch {
                        FileHandle.standardError.write(Data("candor-vm: virtio@\(slot.base): interrupt line \(line): \(error)\n".utf8))
                    }
                }
            }
            if let bindNotification, let frontend = device.backend as? VhostUserFrontend {
                let queueNotify = GuestAddress(slot.base.rawValue + VirtioMMIODevice.Register.queueNotify.rawValue)
                do {
                    for (queue, fd) in frontend.notificationDescriptors.enumerated() {
                        try bindNotification(queueNotify, UInt64(queue), fd)
                    }
                } catch {
                    throw AttachError.device(index: index, specification, error)
                }
            }
            try bus.insert(device, base: slot.base.rawValue, length: VirtioMMIODevice.windowSize)
            slots.append(slot)
            devices.append(device)
        }
        return VirtioDeviceAttachment(slots: slots, devices: devices)
    }

    private static func makeBackend(_ specification: VirtioDeviceSpecification) throws -> VirtioDeviceBackend {
        switch specification {
        case let .vhostUser(device, socket):
            return try VhostUserFrontend.connect(device, socket: socket)
        case let .vhostUserDriver(device, executable, image):
            return try VhostUserFrontend.startDriver(device, executable: executable, image: image)
        case let .vhostUserNet(net):
            switch net {
            case let .socket(socket):
                return try VhostUserFrontend.network(socketPath: socket, connectTimeout: 1)
            case let .driver(executable, _, _):
                return try VhostUserFrontend.startDriver(.network, executable: executable, arguments: net.driverArguments)
            }
        case .entropy:
            return VirtioEntropy()
        case let .console(output):
            // The serial port's unbuffered sink, so the two interleave sanely on stdout.
            let sink = try SerialConsole(output: output.map { .file($0) } ?? .standardOutput)
            return VirtioConsole { $0.forEach(sink.write) }
        }
    }
}
