// The plugins' versions, for the app (app/) and the SDK's library module (../bindings/android,
// included as :proofshot), which must agree on them.
plugins {
    id("com.android.application") version "8.7.3" apply false
    id("com.android.library") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.4.20" apply false
}
