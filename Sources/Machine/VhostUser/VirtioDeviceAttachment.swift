// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Foundation
import GuestMemory

/// A virtio device asked for on the command line: `--device KIND[,key=value...]`.
public enum VirtioDeviceSpecification: Equatable, Sendable, CustomStringConvertible {
    /// The device types a vhost-user backend can serve here.
    public enum VhostUserDevice: String, Sendable {
        case block = "vhost-user-blk"
        case entropy = "vhost-user-rng"
    }

    /// `vhost-user-blk,socket=PATH` (or `vhost-user-rng,...`): a backend already listening at PATH.
    case vhostUser(VhostUserDevice, socket: String)
    /// `vhost-user-blk,driver=PATH,image=FILE` or `vhost-user-rng,driver=PATH`: candor-vm
    /// starts the driver (e.g. candor-blk, candor-rng) itself as
    /// `PATH --socket SOCKET [--image FILE]` and connects to it.
    case vhostUserDriver(VhostUserDevice, executable: String, image: String?)
    /// `vhost-user-net,...` (see `VhostUserNetSpecification`).
    case vhostUserNet(VhostUserNetSpecification)
    /// `virtio-rng`: the built-in entropy device.
    case entropy
    /// `virtio-console[,output=FILE]`: the built-in console (one port); what the guest
    /// writes goes to FILE (created or truncated), else to stdout beside the serial port.
    case console(output: String?)

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unknownKind(String)
        case badOption(kind: String, option: String)
        case missingOption(kind: String, needs: String)

        public var description: String {
            switch self {
            case let .unknownKind(kind):
                return "--device: unknown device '\(kind)'; known: vhost-user-blk, vhost-user-rng, vhost-user-net, virtio-rng, virtio-console"
            case let .badOption(kind, option):
                return "--device \(kind): unknown or repeated option '\(option)'"
            case let .missingOption(kind, needs):
                return "--device \(kind): needs \(needs)"
            }
        }
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let kind = parts[0]
        var options: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty, options[pair[0]] == nil else { throw ParseError.badOption(kind: kind, option: part) }
            options[pair[0]] = pair[1]
        }
        func rejectOthers(_ allowed: Set<String>) throws {
            if let extra = options.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw ParseError.badOption(kind: kind, option: extra)
            }
        }
        if kind == "virtio-rng" {
            try rejectOthers([])
            self = .entropy
            return
        }
        if kind == "virtio-console" {
            try rejectOthers(["output"])
            self = .console(output: options["output"])
            return
        }
        if kind == VhostUserNetSpecification.kind {
            self = .vhostUserNet(try VhostUserNetSpecification(options: options))
            return
        }
        guard let device = VhostUserDevice(rawValue: kind) else { throw ParseError.unknownKind(kind) }
        let needsImage = device == .block
        try rejectOthers(needsImage ? ["socket", "driver", "image"] : ["socket", "driver"])
        switch (options["socket"], options["driver"], options["image"]) {
        case let (socket?, nil, nil): self = .vhostUser(device, socket: socket)
        case let (nil, driver?, image) where (image != nil) == needsImage:
            self = .vhostUserDriver(device, executable: driver, image: image)
        default:
            throw ParseError.missingOption(kind: kind, needs: needsImage ? "either socket=PATH, or driver=PATH and image=FILE"
                                                                         : "either socket=PATH or driver=PATH")
        }
    }

    /// The command-line form.
    public var description: String {
        switch self {
        case let .vhostUser(device, socket): return "\(device.rawValue),socket=\(socket)"
        case let .vhostUserDriver(device, executable, image):
            return "\(device.rawValue),driver=\(executable)" + (image.map { ",image=\($0)" } ?? "")
        case let .vhostUserNet(net): return net.description
        case .entropy: return "virtio-rng"
        case let .console(output): return "virtio-console" + (output.map { ",output=\($0)" } ?? "")
        }
    }

    /// Whether guest memory must be shareable (a vhost-user backend maps it).
    public var usesVhostUser: Bool {
        switch self {
        case .vhostUser, .vhostUserDriver, .vhostUserNet: return true
        case .entropy, .console: return false
        }
    }
}

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
    /// routes its interrupt to `setInterruptLine`. Driver sockets go in `runtimeDirectory`.
    static func attach(_ specifications: [VirtioDeviceSpecification], memory: GuestMemory, bus: IOBus,
                       runtimeDirectory: String = NSTemporaryDirectory(),
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
                device = VirtioMMIODevice(backend: try makeBackend(specification, index: index, runtimeDirectory: runtimeDirectory),
                                          memory: memory, name: "virtio@\(slot.base)")
            } catch {
                throw AttachError.device(index: index, specification, error)
            }
            // Straight to the interrupt controller, not through the bus: a backend thread
            // may raise it while no vCPU touches the device.
            let line = slot.irq
            device.onInterruptChange = { asserted in
                do { try setInterruptLine(line, asserted) } catch {
                    FileHandle.standardError.write(Data("candor-vm: virtio@\(slot.base): interrupt line \(line): \(error)\n".utf8))
                }
            }
            try bus.insert(device, base: slot.base.rawValue, length: VirtioMMIODevice.windowSize)
            slots.append(slot)
            devices.append(device)
        }
        return VirtioDeviceAttachment(slots: slots, devices: devices)
    }

    private static func makeBackend(_ specification: VirtioDeviceSpecification, index: Int,
                                    runtimeDirectory: String) throws -> VirtioDeviceBackend {
        // A backend started just now gets a few seconds to listen; one started by the user
        // should be listening already (a second covers a start script's race).
        func frontend(_ device: VirtioDeviceSpecification.VhostUserDevice, socket: String, wait: TimeInterval) throws -> VhostUserFrontend {
            switch device {
            case .block: return try VhostUserFrontend.block(socketPath: socket, connectTimeout: wait)
            case .entropy: return try VhostUserFrontend.entropy(socketPath: socket, connectTimeout: wait)
            }
        }
        func started(_ executable: String, _ arguments: [String],
                     connect: (_ socket: String, _ wait: TimeInterval) throws -> VhostUserFrontend) throws -> VhostUserFrontend {
            let socket = (runtimeDirectory as NSString).appendingPathComponent("candor-vm-\(getpid())-\(index).sock")
            let process = try VhostUserBackendProcess(executable: executable, arguments: ["--socket", socket] + arguments,
                                                      socketPath: socket)
            let backend = try connect(socket, 5)
            backend.backendProcess = process
            return backend
        }
        switch specification {
        case let .vhostUser(device, socket):
            return try frontend(device, socket: socket, wait: 1)
        case let .vhostUserDriver(device, executable, image):
            return try started(executable, image.map { ["--image", $0] } ?? []) { try frontend(device, socket: $0, wait: $1) }
        case let .vhostUserNet(net):
            switch net {
            case let .socket(socket): return try VhostUserFrontend.network(socketPath: socket, connectTimeout: 1)
            case let .driver(executable, _, _):
                return try started(executable, net.driverArguments) { try VhostUserFrontend.network(socketPath: $0, connectTimeout: $1) }
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
