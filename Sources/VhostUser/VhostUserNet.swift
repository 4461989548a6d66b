// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Devices
import Foundation

/// `--device vhost-user-net,...`: a virtio-net device (device ID 1) served by a vhost-user
/// backend, either one already listening (`socket=PATH`) or candor-net started by candor-vm
/// (`driver=PATH` with `tap=IFNAME` or `switch=PATH`, optionally `mac=MAC`).
public enum VhostUserNetSpecification: Equatable, Sendable, CustomStringConvertible {
    /// Where candor-net sends the guest's frames.
    public enum Backend: Equatable, Sendable {
        /// A TAP interface (created if missing).
        case tap(interface: String)
        /// The `candor-net --hub PATH` switch that joins several guests.
        case hub(path: String)
    }

    case socket(String)
    case driver(executable: String, backend: Backend, mac: String?)

    static let kind = "vhost-user-net"
    private static let needs = "either socket=PATH, or driver=PATH with tap=IFNAME or switch=PATH"

    /// From the `key=value` options of the device specification (already split).
    init(options: [String: String]) throws {
        typealias ParseError = VirtioDeviceSpecification.ParseError
        let kind = Self.kind
        if let extra = options.keys.sorted().first(where: { !["socket", "driver", "tap", "switch", "mac"].contains($0) }) {
            throw ParseError.badOption(kind: kind, option: extra)
        }
        if let mac = options["mac"], !Self.isUnicastMAC(mac) {
            throw ParseError.badOption(kind: kind, option: "mac=\(mac)")
        }
        switch (options["socket"], options["driver"], options["tap"], options["switch"]) {
        case let (socket?, nil, nil, nil) where options["mac"] == nil:
            self = .socket(socket)
        case let (nil, driver?, tap?, nil):
            self = .driver(executable: driver, backend: .tap(interface: tap), mac: options["mac"])
        case let (nil, driver?, nil, hub?):
            self = .driver(executable: driver, backend: .hub(path: hub), mac: options["mac"])
        default:
            throw ParseError.missingOption(kind: kind, needs: Self.needs)
        }
    }

    /// Six colon-separated hexadecimal octets, the group bit clear.
    static func isUnicastMAC(_ text: String) -> Bool {
        let octets = text.split(separator: ":", omittingEmptySubsequences: false)
        guard octets.count == 6, octets.allSatisfy({ $0.count == 2 }) else { return false }
        let values = octets.compactMap { UInt8($0, radix: 16) }
        return values.count == 6 && values[0] & 1 == 0
    }

    public var description: String {
        switch self {
        case let .socket(path): return "\(Self.kind),socket=\(path)"
        case let .driver(executable, backend, mac):
            let target: String
            switch backend {
            case let .tap(interface): target = "tap=\(interface)"
            case let .hub(path): target = "switch=\(path)"
            }
            return "\(Self.kind),driver=\(executable),\(target)" + (mac.map { ",mac=\($0)" } ?? "")
        }
    }

    /// candor-net's arguments besides the `--fd N` of its socket.
    public var driverArguments: [String] {
        guard case let .driver(_, backend, mac) = self else { return [] }
        let target: [String]
        switch backend {
        case let .tap(interface): target = ["--tap", interface]
        case let .hub(path): target = ["--switch", path]
        }
        return target + (mac.map { ["--mac", $0] } ?? [])
    }
}

extension VhostUserFrontend {
    /// struct virtio_net_config up to mtu (mac, status, max_virtqueue_pairs, mtu).
    static let networkConfigSize = 12

    /// A virtio-net device served by a vhost-user-net backend (e.g. candor-net): receive
    /// queue 0, transmit queue 1; the MAC and link status come from the backend's
    /// configuration space.
    public static func network(socketPath: String, queueSize: UInt16 = 256, connectTimeout: TimeInterval = 5) throws -> VhostUserFrontend {
        try VhostUserFrontend(socketPath: socketPath, deviceID: .network, queueCount: 2, queueSize: queueSize,
                              configSize: networkConfigSize, connectTimeout: connectTimeout)
    }
}
