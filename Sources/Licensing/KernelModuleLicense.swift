// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors
//
// The license strings of Linux's MODULE_LICENSE() as SPDX expressions, from the kernel's
// own definition of them: Documentation/process/license-rules.rst, section
// "MODULE_LICENSE". That section also says what the tag is worth: it "is neither a
// replacement for proper source code license information (SPDX-License-Identifier) nor in
// any way relevant for expressing or determining the exact license under which the source
// code of the module is provided. The sole purpose of this tag is to provide sufficient
// information whether the module is free software or proprietary". So a file's SPDX line
// and license notices speak before it (see `LicenseDetector.conclude`), and where the
// string leaves something open the expression says so instead of choosing.

public enum KernelModuleLicense {
    /// The SPDX expression of a MODULE_LICENSE string, or nil for a string the kernel does
    /// not define (the module loader treats those as proprietary; we do not guess).
    public static func expression(_ string: String) -> String? {
        expressions[string]
    }

    /// `LicenseRef-` ids for what a string leaves open. Their words keep the family
    /// (`bsd`, `mpl`) for `LicenseSemantics`.
    public static let unspecifiedBSD = "LicenseRef-candor-BSD-unspecified"
    public static let unspecifiedMPL = "LicenseRef-candor-MPL-unspecified"
    public static let proprietary = "LicenseRef-candor-proprietary"

    /// "GPL" is GPL-2.0-only here. The rst: "Module is licensed under GPL version 2. This
    /// does not express any distinction between GPL-2.0-only or GPL-2.0-or-later. The
    /// exact license information can only be determined via the license information in
    /// the corresponding source files." Version 2 is the one grant the string makes for
    /// certain; `GPL-2.0-or-later` would claim a permission for later versions that it
    /// does not state. A file that does grant "or later" says so in its SPDX line or
    /// notice, and those decide the file's license before this declaration does.
    /// "a GPL v2 variant" in the Dual strings is read the same way.
    private static let expressions: [String: String] = [
        "GPL": "GPL-2.0-only",
        // "Same as "GPL". It exists for historic reasons."
        "GPL v2": "GPL-2.0-only",
        // "Historical variant of expressing that the module source is dual licensed under a
        // GPL v2 variant and MIT license."
        "GPL and additional rights": "GPL-2.0-only OR MIT",
        // "The correct way of expressing that the module is dual licensed under a GPL v2
        // variant or MIT license choice."
        "Dual MIT/GPL": "MIT OR GPL-2.0-only",
        // "dual licensed under a GPL v2 variant or BSD license choice. The exact variant of
        // the BSD license can only be determined via the license information in the
        // corresponding source files."
        "Dual BSD/GPL": "\(unspecifiedBSD) OR GPL-2.0-only",
        // "dual licensed under a GPL v2 variant or Mozilla Public License (MPL) choice. The
        // exact variant of the MPL license can only be determined via the license
        // information in the corresponding source files."
        "Dual MPL/GPL": "\(unspecifiedMPL) OR GPL-2.0-only",
        // "The module is under a proprietary license."
        "Proprietary": proprietary,
    ]
}
