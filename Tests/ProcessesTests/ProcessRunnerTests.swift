// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation
import Processes
import XCTest

final class ProcessRunnerTests: XCTestCase {
    func testSeparatesTheStreamsAndReportsTheStatus() throws {
        let output = try ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], directory: nil)
        XCTAssertEqual(output.status, 3)
        XCTAssertEqual(output.standardOutput, "out\n")
        XCTAssertEqual(output.standardError, "err\n")
        XCTAssertEqual(output.combined, "out\nerr\n")
    }

    func testDirectoryEnvironmentAndEmptyStandardInput() throws {
        let output = try ProcessRunner.run("/bin/sh", ["-c", "pwd; echo \"$CANDOR_RUNNER_TEST\"; cat; echo end"],
                                           directory: "/", environment: ["CANDOR_RUNNER_TEST": "set"])
        XCTAssertEqual(output.status, 0, output.standardError)
        XCTAssertEqual(output.standardOutput, "/\nset\nend\n")
    }

    func testLargeOutputOnBothStreamsDoesNotBlock() throws {
        // 1 MiB on each stream: more than a pipe holds, so both must be drained at once.
        let output = try ProcessRunner.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero"], directory: nil)
        XCTAssertEqual(output.status, 0)
        XCTAssertEqual(output.standardOutput.utf8.count, 1 << 20)
        XCTAssertEqual(output.standardError.utf8.count, 1 << 20)
    }

    func testTimeoutTerminatesTheProcess() throws {
        let start = Date()
        let output = try ProcessRunner.run("/bin/sleep", ["30"], directory: nil, timeout: 0.2)
        XCTAssertEqual(output.status, SIGTERM)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testMissingExecutableThrows() {
        XCTAssertThrowsError(try ProcessRunner.run("/nonexistent/tool", [], directory: nil))
    }
}
