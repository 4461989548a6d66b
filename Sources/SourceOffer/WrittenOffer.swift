// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The two texts a release carries: the written offer (GPL-2.0 §3(b), GPL-3.0 §6(b),
// LGPL-2.1 §6(c)) for when the binaries ship without their source, and the notice that the
// source accompanies the binaries (GPL-2.0 §3(a), GPL-3.0 §6(a)) for when this bundle
// ships with them. Wording is ours; the obligations are those of the licenses.

enum WrittenOffer {
    struct Covered {
        var name: String
        var version: String
        var license: String
    }

    static func coveredList(_ covered: [Covered]) -> String {
        covered.map { "  - \($0.name) \($0.version) (\($0.license))" }.joined(separator: "\n")
    }

    static func contactBlock(_ release: ReleaseDescription) -> String {
        ([release.contact] + release.address).map { "    \($0)" }.joined(separator: "\n") + "\n    E-mail: \(release.email)"
    }

    static func offer(release: ReleaseDescription, covered: [Covered], bundleName: String) -> String {
        """
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
        interchange for a charge no more than our cost of physically performing the
        distribution, or by download at no charge. It is the archive

            \(bundleName)

        This offer is valid for at least \(release.offerYears) years from the release date,
        that is at least until

            \(release.offerValidUntil)

        and for as long as we offer spare parts or customer support for this product
        version.

        To request it, write to:

        \(contactBlock(release))

        Please name the product, its version and the component you ask for.

        The source is provided under the terms of each component's own license; the license
        texts are in the licenses/ directory of the archive and accompany the binaries.

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
