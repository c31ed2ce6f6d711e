#!/usr/bin/env bash
# Assembles and verifies an Android APK here, without Gradle: the generated Kotlin bindings and
# the demo app (android-demo/) compiled with kotlinc against android.jar of API 23 and JNA, its
# resources linked by aapt2 (which writes R and the keep rules for the manifest's components),
# shrunk by ProGuard with those rules and the AAR's consumer rules, dexed with dx, zipaligned,
# signed with a throw-away key, and checked by `apksigner verify`. It proves the Kotlin API
# surface and the demo at API 23, the keep rules, the manifest and the packaging.
# It has no native library: Android's can only be built with the NDK, which this machine lacks.
#
# Tools: aapt2, apksigner, zipalign and proguard-cli from this machine's Debian (apt-get);
# android.jar (android-sdk-platform-23, libandroid-23-java) and dx (dalvik-exchange) from Debian
# 11, fetched with `apt-get download` through a private apt configuration in
# ${PROOFSHOT_CACHE:-~/.cache/proofshot}/apt (the machine's own sources are not touched) and
# unpacked there; kotlinc from npm (scripts/kotlinc.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cache=${PROOFSHOT_CACHE:-$HOME/.cache/proofshot}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
app=android-demo/app/src/main
kotlin_home=$(scripts/kotlinc.sh)
kotlinc=$kotlin_home/bin/kotlinc

tag=apk-check
. scripts/apt.sh
apt_ensure "aapt2 apksigner zipalign proguard" aapt apksigner zipalign proguard-cli
apt_ensure /usr/share/java/jna.jar libjna-java

# android.jar (API 23) and dx from Debian 11
sdk=$cache/android-23
if [ ! -f "$sdk/.ready" ]; then
  echo "apk-check: first run: android.jar (API 23) and dx from Debian 11 ($mirror) into $sdk"
  apt=$cache/apt
  rm -rf "$apt" "$sdk.part"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$sdk.part"
  echo "deb $mirror bullseye main" >"$apt/sources.list"
  opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1 -q)
  { apt-get "${opts[@]}" update && (cd "$apt/debs" && apt-get "${opts[@]}" download libandroid-23-java dalvik-exchange); } \
    >"$cache/android-23.log" 2>&1 \
    || { echo "apk-check: cannot fetch libandroid-23-java and dalvik-exchange from Debian 11; see $cache/android-23.log" >&2; exit 1; }
  for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$sdk.part/root"; done
  cp -L "$sdk.part/root/usr/share/java/com.android.android-23.jar" "$sdk.part/android.jar"
  cp -L "$sdk.part/root/usr/lib/android-sdk/build-tools/debian/lib/dx.jar" "$sdk.part/dx.jar"
  # kotlin.collections.AbstractCollection of kotlin-stdlib 1.9.25 (npm kotlin-compiler), whose
  # toString lambda is a class: see the ProGuard step
  (cd "$sdk.part" && npm pack --silent kotlin-compiler@1.9.25 >/dev/null \
    && tar xzf kotlin-compiler-1.9.25.tgz package/lib/kotlin-stdlib.jar \
    && mkdir -p ac && cd ac && unzip -q ../package/lib/kotlin-stdlib.jar 'kotlin/collections/AbstractCollection*' \
    && jar cf ../abstract-collection-1.9.25.jar kotlin && cd .. && rm -rf ac package kotlin-compiler-1.9.25.tgz)
  rm -rf "$sdk.part/root" "$sdk" && mv "$sdk.part" "$sdk" && touch "$sdk/.ready"
fi

scripts/bindings.sh kotlin >/dev/null
build=$root/.cache/apk-check
rm -rf "$build" && mkdir -p "$build/stub" "$build/res"
android=$sdk/android.jar
jna=/usr/share/java/jna.jar
stdlib=$kotlin_home/lib/kotlin-stdlib.jar

# The generated bindings name java.lang.ref.Cleaner (API 33) and fall back to JNA's cleaner
# when it is missing at run time: a compile-only stub lets them compile against API 23.
mkdir -p "$build/stub/src/java/lang/ref"
cat >"$build/stub/src/java/lang/ref/Cleaner.java" <<'EOF'
package java.lang.ref;
public final class Cleaner {
    public static Cleaner create() { throw new UnsupportedOperationException(); }
    public Cleanable register(Object obj, Runnable action) { throw new UnsupportedOperationException(); }
    public interface Cleanable { void clean(); }
}
EOF
javac -nowarn -source 8 -target 8 -bootclasspath "$android" -d "$build/stub/classes" \
  "$build/stub/src/java/lang/ref/Cleaner.java" 2>/dev/null
(cd "$build/stub/classes" && jar cf ../cleaner-stub.jar .)

# Resources first: aapt2 writes R.java and, as Gradle's build does, the keep rules for the
# manifest's activities, application and provider
mkdir -p "$build/gen" "$build/r-classes"
aapt2 compile --dir "$app/res" -o "$build/res.zip"
aapt2 link -I "$android" --manifest "$app/AndroidManifest.xml" --min-sdk-version 24 --target-sdk-version 24 \
  --java "$build/gen" --proguard "$build/aapt-rules.pro" -o "$build/unaligned.apk" "$build/res.zip" 2>"$build/aapt2.log" \
  || { cat "$build/aapt2.log" >&2; echo "apk-check: aapt2 link failed" >&2; exit 1; }
javac -nowarn -source 8 -target 8 -bootclasspath "$android" -d "$build/r-classes" $(find "$build/gen" -name '*.java') 2>/dev/null

# Kotlin: Java 8 bytecode, lambdas as classes (dx reads no invokedynamic below API 26)
mapfile -t sources < <(find "$app/kotlin" -name '*.kt' | sort)
"$kotlinc" -nowarn -no-jdk -no-reflect -jvm-target 1.8 -Xlambdas=class -Xsam-conversions=class \
  -cp "$android:$jna:$build/stub/cleaner-stub.jar:$build/r-classes" -d "$build/classes.jar" \
  out/kotlin/dev/proofshot/proofshot.kt "${sources[@]}" 2>&1 | grep -v "^warning:" || true
[ -f "$build/classes.jar" ] || { echo "apk-check: Kotlin compilation against API 23 failed" >&2; exit 1; }
(cd "$build/r-classes" && jar uf "$build/classes.jar" .)

# ProGuard with the AAR's consumer rules and aapt2's: what R8 would keep. dx reads
# no invokedynamic below API 26, and after shrinking one is left, in kotlin-stdlib 2.4's
# AbstractCollection.toString (reached through the bindings' enums' entries): the same class
# from kotlin-stdlib 1.9.25, which compiled that lambda as a class, goes first and is the one
# kept (the stdlib is binary compatible; ProGuard checks every reference). A Gradle build's D8
# desugars it instead.
cat >"$build/rules.pro" <<EOF
-injars $sdk/abstract-collection-1.9.25.jar
-injars $build/classes.jar(!META-INF/**)
-injars $stdlib(!META-INF/**,!kotlin/collections/AbstractCollection.class,!kotlin/collections/AbstractCollection\$*.class)
-injars $jna(!META-INF/**,!com/sun/jna/*/**.so,!com/sun/jna/*/**.dll,!com/sun/jna/*/**.jnilib,!com/sun/jna/*/**.a)
-outjars $build/shrunk.jar
-libraryjars $android
-libraryjars $build/stub/cleaner-stub.jar
-dontobfuscate
-dontoptimize
-dontnote
-dontwarn java.lang.invoke.**
-dontwarn kotlin.**
-dontwarn org.jetbrains.annotations.**
-include $build/aapt-rules.pro
-include $root/bindings/android/consumer-rules.pro
EOF
# Every reference android.jar (API 23) cannot resolve fails the check, except two kinds, which
# are allowed by name: the boxed types' static hashCode (Integer.hashCode(int) and the like,
# which Kotlin's data classes call) is API 24, within the SDK's minSdk 24; and Debian's JNA is the
# desktop jar, whose ELFAnalyser (Linux ARM only) uses Java 9's ByteBuffer; the JNA an app gets
# is the AAR.
echo "-ignorewarnings" >>"$build/rules.pro"
proguard @"$build/rules.pro" >"$build/proguard.log" 2>&1 \
  || { tail -30 "$build/proguard.log" >&2; echo "apk-check: ProGuard failed" >&2; exit 1; }
allowed="can't find referenced method 'int hashCode\((int|long|float|double|boolean)\)' in library class java\.lang\.(Integer|Long|Float|Double|Boolean)$|^Warning: com\.sun\.jna\.ELFAnalyser"
if grep "^Warning: " "$build/proguard.log" | grep -v "there were\|You probably need\|you may need" | grep -Ev "$allowed" >"$build/unresolved.txt"; then
  cat "$build/unresolved.txt" >&2
  echo "apk-check: the code above references what Android API 23 (and the SDK's minSdk 24) lacks" >&2
  exit 1
fi

java -jar "$sdk/dx.jar" --dex --min-sdk-version=24 --output="$build/classes.dex" "$build/shrunk.jar" 2>"$build/dx.log" \
  || { cat "$build/dx.log" >&2; echo "apk-check: dx failed" >&2; exit 1; }

(cd "$build" && zip -q unaligned.apk classes.dex)
zipalign -p -f 4 "$build/unaligned.apk" "$build/aligned.apk"

keytool -genkeypair -keystore "$build/throwaway.jks" -storepass throwaway -keypass throwaway -alias check \
  -keyalg RSA -keysize 2048 -validity 1 -dname "CN=ProofShot APK check" >/dev/null 2>&1
apksigner sign --ks "$build/throwaway.jks" --ks-pass pass:throwaway --ks-key-alias check \
  --out "$build/proofshot-demo.apk" "$build/aligned.apk"
apksigner verify --verbose "$build/proofshot-demo.apk" >"$build/verify.log" 2>&1 \
  || { cat "$build/verify.log" >&2; echo "apk-check: apksigner verify failed" >&2; exit 1; }
sdks=$(aapt2 dump badging "$build/proofshot-demo.apk" 2>/dev/null | grep -E "^(sdkVersion|targetSdkVersion)" | tr '\n' ' ')
classes=$(unzip -l "$build/shrunk.jar" | grep -c '\.class$' || true)
echo "apk: $build/proofshot-demo.apk verified ($(head -1 "$build/verify.log")), $(stat -c %s "$build/proofshot-demo.apk") bytes, ${sdks}, $classes classes after ProGuard, no native library (no NDK here)"
