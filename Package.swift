// swift-tools-version:6.1
// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// One target per job (see DESIGN.md). The VMM targets never import the
// compliance targets and the reverse; both share only the ELF reader.

import PackageDescription

/// The VMM targets are checked by the Swift 6 concurrency model (STYLE.md 17).
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Candor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "candor-vm", targets: ["candor-vm"]),
        .executable(name: "candor", targets: ["candor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Shared: a small ELF64 reader used by the loader and by the inventory.
        .target(name: "ELF"),

        // The hypervisor.
        .target(name: "CKVM"),
        .target(name: "KVM", dependencies: ["CKVM", "GuestMemory"], swiftSettings: swift6),
        .target(name: "GuestMemory", dependencies: ["CPosix"], swiftSettings: swift6),
        // liblzma: the bzImage payload (xz) is unpacked by the VMM where the guest's own
        // decompressor would be too slow (see MACHINE.md).
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .target(name: "Loader", dependencies: ["ELF", "GuestMemory", "CLZMA"], swiftSettings: swift6),
        .target(name: "Devices", dependencies: ["GuestMemory"], swiftSettings: swift6),
        // POSIX calls Glibc does not export to Swift (eventfd, sendmsg with SCM_RIGHTS):
        // the vhost-user frontend needs them.
        .target(name: "CPosix"),
        // The vhost-user frontend, the driver processes it starts, and `--device` parsing.
        .target(name: "VhostUser", dependencies: ["Devices", "GuestMemory", "CPosix"], swiftSettings: swift6),
        // The snapshot directory: manifest, checksums, sparse memory file, atomic writing.
        .target(name: "Snapshot", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: swift6),
        .target(name: "Machine", dependencies: ["KVM", "GuestMemory", "Loader", "Devices", "VhostUser", "CPosix", "Snapshot"],
                swiftSettings: swift6),
        // The management API: HTTP/1.1 with JSON on a Unix socket (parser, routes, server, client).
        .target(name: "ManagementAPI", dependencies: ["CPosix"], swiftSettings: swift6),
        .executableTarget(name: "candor-vm", dependencies: [
            "Machine", "VhostUser", "ManagementAPI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: swift6),

        // The compliance pipeline.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2",
                       providers: [.apt(["libgit2-dev"])]),
        // The one atomic file writer and the one process runner the compliance targets use.
        .target(name: "AtomicFile"),
        .target(name: "Processes"),
        .target(name: "Licensing", dependencies: ["AtomicFile"]),
        .target(name: "Parallel"),
        .target(name: "Inventory", dependencies: [
            "AtomicFile", "ELF", "Licensing", "CGit2", "Processes", "Parallel",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "SBOM", dependencies: [
            "AtomicFile", "Inventory", "Licensing", "XMLTextWriter", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SourceOffer", dependencies: [
            "AtomicFile", "Inventory", "Licensing", "CGit2", "CLZMA", "Processes",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // libxml2: JUnit XML for CI and CycloneDX XML. Swift code reaches it only
        // through XMLTextWriter: libxml2's headers bring ICU's, which clash with Foundation's.
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "XMLTextWriter", dependencies: ["CXML2"]),
        .target(name: "Boundaries", dependencies: [
            "AtomicFile", "ELF", "Licensing", "Inventory", "Parallel", "Processes",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "Audit", dependencies: ["AtomicFile", "Boundaries", "Inventory", "Licensing", "XMLTextWriter"]),
        // Reading SBOMs of any tool (SPDX 2.3, SPDX 3.0.1, CycloneDX 1.6) into one review model.
        .target(name: "SBOMReader", dependencies: ["Inventory", "Licensing", "Parallel"]),
        // The review page (self-contained HTML) and the comparison of two releases.
        .target(name: "Review", dependencies: [
            "SBOMReader", "Licensing", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // `candor release`: one scan, every artefact of a release.
        .target(name: "Release", dependencies: [
            "ELF", "Inventory", "Licensing", "SBOM", "SourceOffer", "Boundaries", "Audit", "SBOMReader", "Review",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "candor", dependencies: [
            "AtomicFile", "Licensing", "Inventory", "SBOM", "SourceOffer", "Boundaries", "Audit", "Release", "SBOMReader", "Review",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests mirror targets; boot tests live in their own integration suite.
        // The process runner the test targets share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ELFTests", dependencies: ["ELF", "TestSupport"]),
        .testTarget(name: "KVMTests", dependencies: ["KVM", "CKVM", "CPosix", "GuestMemory"]),
        .testTarget(name: "GuestMemoryTests", dependencies: ["GuestMemory"]),
        .testTarget(name: "LoaderTests", dependencies: ["Loader", "ELF", "GuestMemory"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "GuestMemory"]),
        .testTarget(name: "VhostUserTests", dependencies: ["VhostUser", "Machine", "Devices", "GuestMemory"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "VhostUser", "Devices", "GuestMemory", "TestSupport"]),
        .testTarget(name: "SnapshotTests", dependencies: ["Snapshot"]),
        .testTarget(name: "ManagementAPITests", dependencies: ["ManagementAPI", "CTestSupport"]),
        // C helpers for tests (a connection from another uid needs fork and setuid).
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),
        .testTarget(name: "BootTests", dependencies: ["Machine", "ManagementAPI", "TestSupport"]),
        .testTarget(name: "AtomicFileTests", dependencies: ["AtomicFile"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes"]),
        .testTarget(name: "LicensingTests", dependencies: ["Licensing"]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory"], exclude: ["Fixtures"]),
        .testTarget(name: "SBOMTests", dependencies: ["SBOM", "Inventory", "XMLTextWriter", "TestSupport"]),
        .testTarget(name: "SourceOfferTests", dependencies: ["SourceOffer", "Inventory"]),
        .testTarget(name: "BoundariesTests", dependencies: ["Boundaries", "Inventory", "Licensing", "ELF", "Processes", "TestSupport"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Boundaries", "Inventory"]),
        .testTarget(name: "SBOMReaderTests", dependencies: ["SBOMReader", "Inventory", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ReviewTests", dependencies: ["Review", "SBOMReader", "TestSupport"], exclude: ["browser_test.py"]),
        .testTarget(name: "ReleaseTests", dependencies: ["Release", "SourceOffer", "Inventory", "Licensing", "SBOMReader", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
