// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import CPosix
#if canImport(Glibc)
import Glibc
#endif

/// A level-triggered interrupt line driven through KVM_IRQFD with a resample eventfd:
/// raising it is an eventfd write (no ioctl, from any thread, even a device's backend
/// thread). KVM lowers the line when the guest ends the interrupt (EOI) and signals the
/// resample eventfd; a watcher thread then raises it again while `isAsserted()` still
/// holds, so it behaves as the level that virtio-mmio's InterruptStatus is.
// @unchecked: its properties are immutable descriptors; the watcher has its own copies.
final class InterruptEventLine: @unchecked Sendable {
    let line: UInt32
    private let event: Int32
    private let stop: Int32

    struct SetupError: Error, CustomStringConvertible {
        let line: UInt32
        let call: String
        let errno: Int32
        var description: String { "interrupt line \(line): \(call): \(String(cString: strerror(errno)))" }
    }

    /// `bind(event, resample)` registers the pair with KVM (`VirtualMachine.bindInterrupt`).
    init(line: UInt32, bind: (Int32, Int32) throws -> Void, isAsserted: @escaping () -> Bool) throws {
        self.line = line
        // event, resample, stop, and the watcher's copies of event and stop.
        var fds: [Int32] = []
        for _ in 0..<3 {
            let fd = cposix_eventfd(0, 1)
            guard fd >= 0 else {
                let err = errno
                fds.forEach { close($0) }
                throw SetupError(line: line, call: "eventfd", errno: err)
            }
            fds.append(fd)
        }
        let (event, resample, stop) = (fds[0], fds[1], fds[2])
        let watcherEvent = dup(event), watcherStop = dup(stop)
        guard watcherEvent >= 0, watcherStop >= 0 else {
            let err = errno
            (fds + [watcherEvent, watcherStop]).filter { $0 >= 0 }.forEach { close($0) }
            throw SetupError(line: line, call: "dup", errno: err)
        }
        do {
            try bind(event, resample)
        } catch {
            (fds + [watcherEvent, watcherStop]).forEach { close($0) }
            throw error
        }
        self.event = event
        self.stop = stop
        // The watcher owns resample and its copies, and closes them when it ends.
        let started = startThread {
            defer { [resample, watcherEvent, watcherStop].forEach { close($0) } }
            var watched = [pollfd(fd: watcherStop, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: resample, events: Int16(POLLIN), revents: 0)]
            while true {
                if poll(&watched, 2, -1) < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if watched[0].revents != 0 { return }
                var count: UInt64 = 0
                if read(resample, &count, 8) == 8, isAsserted() {
                    var one: UInt64 = 1
                    _ = write(watcherEvent, &one, 8)
                }
            }
        }
        guard let started else {
            let err = errno
            [resample, watcherEvent, watcherStop, event, stop].forEach { close($0) }
            throw SetupError(line: line, call: "pthread_create", errno: err)
        }
        pthread_detach(started)
    }

    /// Raises the line (a no-op while it is already up).
    func raise() {
        var one: UInt64 = 1
        _ = write(event, &one, 8)
    }

    deinit {
        var one: UInt64 = 1
        _ = write(stop, &one, 8)
        // Closing our end of the eventfd makes KVM drop the binding.
        close(event)
        close(stop)
    }
}
