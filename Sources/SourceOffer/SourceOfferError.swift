// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// Every way building or verifying a source-offer bundle can fail. Each case is named after
// the step that failed and carries the offending file, field or value.

public enum SourceOfferError: Error, Equatable, CustomStringConvertible {
    // Inputs.
    case releaseFile(path: String, problem: String)
    case policyFile(path: String, problem: String)
    case licenseExpression(component: String, expression: String, problem: String)
    case missingLicenseText(license: String, neededBy: String)
    case missingBinary(owner: String, path: String)
    // Repository.
    case git(step: String, message: String)
    case dirtyTree(paths: [String])
    case sourcePathNotInCommit(part: String, path: String, commit: String)
    case unsupportedTreeEntry(path: String, kind: String)
    // Third-party source.
    case unknownOrigin(component: String, version: String?, reason: String)
    case sourceUnavailable(component: String, version: String, reason: String)
    case dsc(file: String, problem: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    case sizeMismatch(file: String, expected: UInt64, actual: UInt64)
    // Archive.
    case xz(step: String, code: Int)
    case tarWrite(path: String, problem: String)
    case hostileEntry(path: String, problem: String)
    case corruptArchive(offset: Int, problem: String)
    // Verification.
    case manifest(problem: String)
    case rebuild(part: String, problem: String)
    case rebuiltBinaryDiffers(part: String, binary: String, shipped: String, rebuilt: String)
    case io(path: String, message: String)
    case shippedFileDiffers(path: String, package: String, packagePath: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .releaseFile(path, problem): return "release file \(path): \(problem)"
        case let .policyFile(path, problem): return "policy file \(path): \(problem)"
        case let .licenseExpression(component, expression, problem):
            return "component \(component): license expression \"\(expression)\": \(problem)"
        case let .missingLicenseText(license, neededBy):
            return "license text for \(license) (needed by \(neededBy)) not found; add licenses/\(license).txt"
        case let .missingBinary(owner, path):
            return "\(owner): shipped binary \(path) does not exist; build it first or pass --binary"
        case let .git(step, message): return "git: \(step): \(message)"
        case let .dirtyTree(paths):
            let shown = paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? ", ... (\(paths.count) in all)" : "")
            return "the working tree has uncommitted changes (\(shown)); commit them, or pass --allow-dirty (recorded in the bundle)"
        case let .sourcePathNotInCommit(part, path, commit):
            return "part \(part): source path \(path) is not in commit \(commit)"
        case let .unsupportedTreeEntry(path, kind):
            return "\(path): \(kind) in the released tree cannot go into a bundle"
        case let .unknownOrigin(component, version, reason):
            return "component \(component) \(version ?? "(no version)"): source unknown: \(reason)"
        case let .sourceUnavailable(component, version, reason):
            return "component \(component) \(version): source not available: \(reason)"
        case let .dsc(file, problem): return "\(file): \(problem)"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-256 mismatch: expected \(expected), found \(actual)"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): size mismatch: expected \(expected) bytes, found \(actual)"
        case let .xz(step, code): return "xz: \(step) failed (lzma_ret \(code))"
        case let .tarWrite(path, problem): return "tar: \(path): \(problem)"
        case let .hostileEntry(path, problem): return "refusing archive entry \"\(path)\": \(problem)"
        case let .corruptArchive(offset, problem): return "corrupt tar archive at byte \(offset): \(problem)"
        case let .manifest(problem): return "MANIFEST.json: \(problem)"
        case let .rebuild(part, problem): return "rebuild of \(part): \(problem)"
        case let .rebuiltBinaryDiffers(part, binary, shipped, rebuilt):
            return "rebuild of \(part): \(binary) differs from the shipped binary (shipped SHA-256 \(shipped), rebuilt \(rebuilt)); the source does not correspond"
        case let .io(path, message): return "\(path): \(message)"
        case let .shippedFileDiffers(path, package, packagePath, expected, actual):
            return "\(path): differs from \(packagePath) in Debian package \(package) (package SHA-256 \(expected), shipped \(actual)); ship the package's file or record the version it came from"
        }
    }
}
