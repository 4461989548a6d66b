// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Foundation

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
    /// `PATH [--image FILE] --fd N`, N being its end of a socketpair, and connects to it.
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

extension VhostUserFrontend {
    /// Connects to the `device` backend the user started, listening at `socket`. It
    /// should be listening already (a second covers a start script's race).
    public static func connect(_ device: VirtioDeviceSpecification.VhostUserDevice, socket: String) throws -> VhostUserFrontend {
        switch device {
        case .block: return try VhostUserFrontend.block(socketPath: socket, connectTimeout: 1)
        case .entropy: return try VhostUserFrontend.entropy(socketPath: socket, connectTimeout: 1)
        }
    }

    /// Starts the `device` driver `executable` (with `--image FILE` when given) on a
    /// socketpair and connects to it.
    public static func startDriver(_ device: VirtioDeviceSpecification.VhostUserDevice, executable: String,
                                   image: String?) throws -> VhostUserFrontend {
        try startDriver(device == .block ? .block : .entropy, executable: executable,
                        arguments: image.map { ["--image", $0] } ?? [])
    }
}
