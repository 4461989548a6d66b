// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The two texts a release carries: the written offer (GPL-2.0 §3(b), GPL-3.0 §6(b),
// LGPL-2.1 §6(c)) for when the binaries ship without their source, and the notice that the
// source accompanies the binaries (GPL-2.0 §3(a), GPL-3.0 §6(a)) for when this bundle
// ships with them. Wording is ours; the obligations are those of the licenses.

public enum WrittenOffer {
    /// A component whose source the offer covers.
    public struct Covered: Equatable, Sendable {
        public var name: String
        public var version: String
        public var license: String
    }

    static func coveredList(_ covered: [Covered]) -> String {
        covered.map { "  - \($0.name) \($0.version) (\($0.license))" }.joined(separator: "\n")
    }

    static func contactBlock(_ release: ReleaseDescription) -> String {
        ([release.contact] + release.address).map { "    \($0)" }.joined(separator: "\n") + "\n    E-mail: \(release.email)"
    }

    /// The written offer. `sha256` is the archive's digest: known for the copy that
    /// accompanies the binaries (distribution/), not for the copy inside the archive itself.
    public static func offer(release: ReleaseDescription, covered: [Covered], bundleName: String, sha256: String? = nil) -> String {
        // Interpolated lines are not re-indented by the literal below: indent them here.
        let archive = sha256.map { "\(bundleName)\n    SHA-256 \($0)" }
            ?? "\(bundleName)\n(its SHA-256 is in the copy of this offer that accompanies the binaries)"
        return """
        WRITTEN OFFER FOR SOURCE CODE

        Product: \(release.product)
        Version: \(release.version)
        Release date: \(release.date)

        \(release.product) \(release.version) contains software licensed under the GNU
        General Public License, the GNU Lesser General Public License and other licenses
        that require the complete corresponding source code to be available to those who
        receive the software in binary form. These components are:

        \(coveredList(covered))

        We offer to give anyone who possesses a copy of the binaries, and any third party,
        the complete corresponding machine-readable source code of the components above,
        including the scripts used to control their compilation and installation and the
        interface definition files they use, on a medium customarily used for software
        interchange, for a charge no more than our cost of physically performing this
        distribution of the source, or by download at no charge. The source is the archive

            \(archive)

        This offer is valid for at least \(release.offerYears) years after we last distribute the
        binaries of this version (GPL-2.0 section 3(b), GPL-3.0 section 6(b)), and in any
        case at least until

            \(release.offerValidUntil)

        (\(release.offerYears) years from the release date), and for as long as we offer spare
        parts or customer support for this product version.

        To request the source, write to the address below (by post or e-mail), naming the
        product, its version and the archive above:

        \(contactBlock(release))

        The source is provided under the terms of each component's own license; the license
        texts accompany the binaries (the licenses/ directory) and are in the archive.

        """
    }

    static func accompanying(release: ReleaseDescription, covered: [Covered], bundleName: String) -> String {
        """
        SOURCE CODE ACCOMPANYING THE BINARIES

        Product: \(release.product)
        Version: \(release.version)
        Release date: \(release.date)

        This archive is distributed together with the binaries of the product above:

            \(bundleName)

        It holds the complete corresponding source code of every component of the release
        whose license requires it:

        \(coveredList(covered))

        For each component, components/<name>/ holds its source as it was built: for our
        own parts, the files exported from the released commit together with the build
        scripts, the interface definition files they use and the toolchain versions
        (BUILDING.txt); for Debian packages, the source package (.dsc and the files it
        lists) of exactly the version shipped. MANIFEST.json lists every file with its
        SHA-256 and the shipped binaries each component corresponds to.

        `candor bundle verify` checks the archive and rebuilds the binaries from it.
        Questions: write to

        \(contactBlock(release))

        """
    }
}
