#!/usr/bin/env bash
# Installs kotlinc from the npm package kotlin-compiler (into .cache/, once) and prints its
# Kotlin home; scripts/kotlin-test.sh and scripts/apk-check.sh use it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
KOTLIN_VERSION=2.4.20
kotlin_home=.cache/kotlinc-$KOTLIN_VERSION
if [ ! -x "$kotlin_home/bin/kotlinc" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
  mkdir -p "$kotlin_home.part" && tar xzf "$tmp"/kotlin-compiler-*.tgz -C "$kotlin_home.part" --strip-components=1
  rm -rf "$tmp" "$kotlin_home" && mv "$kotlin_home.part" "$kotlin_home"
fi
echo "$root/$kotlin_home"
