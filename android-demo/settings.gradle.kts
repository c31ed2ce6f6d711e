// The demo app (app/) and, from this repository, the SDK's library module (bindings/android), so that
// Android Studio builds both: open this folder. Build the native libraries and the Kotlin
// bindings first (scripts/build-android.sh; see README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "proofshot-demo"
include(":app")
include(":proofshot")
project(":proofshot").projectDir = file("../bindings/android")
