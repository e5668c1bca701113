#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings of kmskit-uniffi from a compiled library (UniFFI
# library mode) and lays them out where the Maven project and the Swift package expect them:
#   <dest>/kotlin/src/main/kotlin/io/kmskit/kmskit.kt
#   <dest>/swift/Sources/kmskit/kmskit.swift
#   <dest>/swift/Sources/kmskitFFI/kmskitFFI.h
#   <dest>/swift/Sources/kmskitFFI/module.modulemap   (the generated kmskitFFI.modulemap)
# Usage: bindings/uniffi/generate.sh <path/to/libkmskit_uniffi.so> <dest>
# <dest> = bindings/uniffi updates the checked-in files; the scripts generate into a temporary
# <dest> and compare. No formatter runs (--no-format), so the output is the same everywhere.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="$(realpath "$1")"
dest="$(mkdir -p "$2" && realpath "$2")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$ROOT"
cargo run -q -p uniffi-bindgen -- generate --no-format --library "$lib" \
  --language kotlin --language swift --out-dir "$tmp" >/dev/null
mkdir -p "$dest/kotlin/src/main/kotlin/io/kmskit" "$dest/swift/Sources/kmskit" "$dest/swift/Sources/kmskitFFI"
cp "$tmp/io/kmskit/kmskit.kt" "$dest/kotlin/src/main/kotlin/io/kmskit/kmskit.kt"
cp "$tmp/kmskit.swift" "$dest/swift/Sources/kmskit/kmskit.swift"
cp "$tmp/kmskitFFI.h" "$dest/swift/Sources/kmskitFFI/kmskitFFI.h"
cp "$tmp/kmskitFFI.modulemap" "$dest/swift/Sources/kmskitFFI/module.modulemap"
