// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

/// A token bucket for log lines a guest can trigger (a driver that breaks a device and
/// resets it in a loop): `burst` lines at once, then one per `interval` seconds. The
/// first line after a quiet spell says how many were dropped.
public struct LogRateLimit: Sendable {
    public let burst: Int
    public let interval: Double
    private var tokens: Double
    private var last: Double?
    private var dropped = 0

    public init(burst: Int = 10, interval: Double = 1) {
        self.burst = burst
        self.interval = interval
        self.tokens = Double(burst)
    }

    /// The line to log at time `now` (seconds, monotonic), or nil to drop it.
    public mutating func admit(_ line: String, at now: Double) -> String? {
        if let last { tokens = min(Double(burst), tokens + max(0, now - last) / interval) }
        last = now
        guard tokens >= 1 else {
            dropped += 1
            return nil
        }
        tokens -= 1
        defer { dropped = 0 }
        return dropped == 0 ? line : line + " (\(dropped) similar lines dropped)"
    }
}
