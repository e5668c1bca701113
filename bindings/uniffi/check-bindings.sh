#!/usr/bin/env bash
# Regenerates the Kotlin and Swift bindings from the given libkmskit_uniffi.so and fails if the
# checked-in copies (bindings/uniffi/kotlin/src/main/kotlin, bindings/uniffi/swift/Sources)
# differ. KMSKIT_UPDATE_BINDINGS=1 rewrites them instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="${1:-$ROOT/target/debug/libkmskit_uniffi.so}"
if [[ "${KMSKIT_UPDATE_BINDINGS:-0}" == 1 ]]; then
  "$ROOT/bindings/uniffi/generate.sh" "$lib" "$ROOT/bindings/uniffi"
  echo "check-bindings: rewrote the checked-in Kotlin and Swift bindings"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$ROOT/bindings/uniffi/generate.sh" "$lib" "$tmp"
status=0
for f in kotlin/src/main/kotlin/io/kmskit/kmskit.kt swift/Sources/kmskit/kmskit.swift \
         swift/Sources/kmskitFFI/kmskitFFI.h swift/Sources/kmskitFFI/module.modulemap; do
  if ! diff -q "$tmp/$f" "$ROOT/bindings/uniffi/$f" >/dev/null 2>&1; then
    echo "check-bindings: bindings/uniffi/$f is stale (regenerate with KMSKIT_UPDATE_BINDINGS=1 scripts/test-kotlin)" >&2
    diff -u "$ROOT/bindings/uniffi/$f" "$tmp/$f" | head -40 >&2 || true
    status=1
  fi
done
[[ $status == 0 ]] && echo "check-bindings: Kotlin and Swift bindings match the library"
exit $status
