// ProofShot's demo app. Platform APIs only (camera2, ImageReader, plain Views), so the same
// sources also compile without Gradle against android.jar API 23 (scripts/apk-check.sh).
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.proofshot.demo"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.proofshot.demo"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            // a demo: signed with the debug key so QA can install the release build
            signingConfig = signingConfigs.getByName("debug")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        // the logic tests call the SDK on the host JVM: the host's libproofshot.so from
        // scripts/bindings.sh kotlin, ONNX Runtime from scripts/setup-ort.sh, and the sample
        // photos `proofshot samples` renders (what scripts/kotlin-test.sh runs without Gradle)
        unitTests.all {
            it.useJUnitPlatform()
            it.systemProperty("jna.library.path", rootDir.resolve("../out/kotlin").path)
            it.systemProperty("proofshot.samples", rootDir.resolve("../.cache/kotlin-samples").path)
            it.environment("ORT_DYLIB_PATH", rootDir.resolve("../.cache/onnxruntime/1.31.1/libonnxruntime.so").path)
        }
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":proofshot"))
    testImplementation("org.junit.jupiter:junit-jupiter:5.11.4")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
    // the host JVM's JNA (the AAR's is for Android)
    testImplementation("net.java.dev.jna:jna:5.17.0")
}
