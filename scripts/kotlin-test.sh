#!/usr/bin/env bash
# Compiles the generated Kotlin bindings with the JVM kotlinc and runs the JUnit 5 tests
# against the host cdylib: the bindings' own, then android-demo's logic (the plain Kotlin
# classes under android-demo/app/src/main/kotlin/dev/proofshot/demo/logic/, which use no Android API). Installs what it needs where missing: kotlinc from the npm package
# kotlin-compiler@2.4.20 (into .cache/), JNA and JUnit 5 from Debian (libjna-java, junit5).
# Ends with a plain "N passed, N failed" line.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

kotlin_home=$(scripts/kotlinc.sh)
tag=kotlin-test
. scripts/apt.sh
apt_ensure "/usr/share/java/jna.jar /usr/share/java/junit-platform-console-standalone.jar" libjna-java junit5

scripts/bindings.sh kotlin >/dev/null
cargo build --release --locked -p proofshot-cli
samples=.cache/kotlin-samples
target/release/proofshot samples "$samples" >/dev/null

build=.cache/kotlin-build
rm -rf "$build" && mkdir -p "$build"
cp="/usr/share/java/jna.jar:/usr/share/java/junit-platform-console-standalone.jar"
"$kotlin_home/bin/kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$build/test.jar" \
  out/kotlin/dev/proofshot/proofshot.kt bindings/kotlin/src/test/kotlin/dev/proofshot/*.kt \
  android-demo/app/src/main/kotlin/dev/proofshot/demo/logic/*.kt android-demo/app/src/test/kotlin/dev/proofshot/demo/logic/*.kt 2>&1 \
  | grep -v "^warning:" || true
[ -f "$build/test.jar" ] || { echo "kotlin-test: compilation failed" >&2; exit 1; }

export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$root/.cache/onnxruntime/1.31.1/libonnxruntime.so}
# One JVM per class: RuntimeMissingTest needs a process where ONNX Runtime was never loaded.
status=0
run() { # REPORT CLASS...
  local report=$1 class
  shift
  : >"$report"
  for class in "$@"; do
    java -Djna.library.path="$root/out/kotlin" -Dproofshot.samples="$samples" -Dproofshot.cli="$root/target/release/proofshot" \
      -cp "$build/test.jar:$cp:$kotlin_home/lib/kotlin-stdlib.jar" \
      org.junit.platform.console.ConsoleLauncher --disable-banner --disable-ansi-colors --details=tree \
      --select-class "$class" >>"$report" 2>&1 || status=1
  done
  cat "$report"
}
count() { # REPORT WHAT
  sed -n "s/.*\\[ *\\([0-9]*\\) tests $2.*/\\1/p" "$1" | awk '{s += $1} END {print s + 0}'
}
run "$build/report.txt" dev.proofshot.RuntimeMissingTest dev.proofshot.ProofShotTest dev.proofshot.EvidenceTest
run "$build/demo-report.txt" dev.proofshot.demo.logic.ResultTextTest dev.proofshot.demo.logic.LogicTest
echo "kotlin: $(count "$build/report.txt" successful) passed, $(count "$build/report.txt" failed) failed"
echo "android-demo logic (JVM): $(count "$build/demo-report.txt" successful) passed, $(count "$build/demo-report.txt" failed) failed"
exit $status
