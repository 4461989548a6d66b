#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Validates SBOMs offline with each format's own model or schema, chosen by file name:
#   *.spdx3.jsonld  SPDX 3.0.1: spdx-python-model reads it, links every reference, writes it again
#   *.cdx.json      CycloneDX 1.6: the official JSON schema (cyclonedx-python-lib, strict)
#   *.cdx.xml       CycloneDX 1.6: the official XSD (cyclonedx-python-lib, through lxml)
# (SPDX 2.3 has pyspdxtools.) Prints "FILE: OK..." per file; exits 1 on the first invalid one.
import io
import sys


def spdx3(path):
    from spdx_python_model import v3_0_1 as spdx
    objects = spdx.SHACLObjectSet()
    with open(path) as f:
        spdx.JSONLDDeserializer().read(f, objects)
    missing = sorted(objects.link())
    if missing:
        return "unresolved references: %s" % missing[:5]
    spdx.JSONLDSerializer().write(objects, io.BytesIO())
    documents = list(objects.foreach_type(spdx.SpdxDocument))
    if len(documents) != 1:
        return "expected one SpdxDocument, found %d" % len(documents)
    return "OK, %d software packages" % len(list(objects.foreach_type(spdx.software_Package)))


def cyclonedx(path, kind):
    from cyclonedx.schema import SchemaVersion
    if kind == "json":
        from cyclonedx.validation.json import JsonStrictValidator as Validator
    else:
        from cyclonedx.validation.xml import XmlValidator as Validator
    with open(path) as f:
        errors = Validator(SchemaVersion.V1_6).validate_str(f.read())
    return str(errors) if errors else "OK"


def main(paths):
    if not paths:
        sys.exit("usage: validate-sbom.py FILE.spdx3.jsonld|FILE.cdx.json|FILE.cdx.xml ...")
    for path in paths:
        if path.endswith(".spdx3.jsonld"):
            result = spdx3(path)
        elif path.endswith(".cdx.json"):
            result = cyclonedx(path, "json")
        elif path.endswith(".cdx.xml"):
            result = cyclonedx(path, "xml")
        else:
            sys.exit("%s: not a format this script knows (.spdx3.jsonld, .cdx.json, .cdx.xml)" % path)
        if not result.startswith("OK"):
            sys.exit("%s: invalid: %s" % (path, result))
        print("%s: %s" % (path, result))


if __name__ == "__main__":
    main(sys.argv[1:])
