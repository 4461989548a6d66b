#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
#
# Builds the LicenseExpression fuzzer (until scripts/fuzz.sh covers it) and runs it on the
# seed corpus: Fuzz/LicenseExpression/build.sh [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
out=.build/fuzz
mkdir -p "$out" "$out/LicenseExpression-corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -module-name LicenseExpressionFuzz \
  Fuzz/LicenseExpression/main.swift \
  Sources/Licensing/LicenseExpression.swift Sources/Licensing/SPDXIdentifiers.swift \
  Sources/Licensing/SPDXTags.swift \
  -o "$out/LicenseExpression"
"$out/LicenseExpression" -max_total_time="${1:-60}" -max_len=512 -dict=Fuzz/LicenseExpression/tags.dict \
  "$out/LicenseExpression-corpus" Fuzz/LicenseExpression/corpus
