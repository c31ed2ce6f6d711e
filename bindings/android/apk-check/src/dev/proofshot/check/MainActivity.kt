package dev.proofshot.check

import android.app.Activity
import android.os.Bundle
import android.widget.TextView
import dev.proofshot.ProofShotException
import dev.proofshot.Verifier
import dev.proofshot.sdkVersion

/**
 * The smallest app over the SDK (scripts/apk-check.sh compiles it against android.jar API 23
 * and packs it into a signed APK): it loads the embedded models and shows the SDK version and
 * policy, or the SDK's error in words. Platform APIs only.
 */
class MainActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val text = try {
            Verifier().use { "ProofShot ${sdkVersion()}: policy ${it.policyId()}" }
        } catch (e: ProofShotException) {
            "ProofShot could not start: ${e.message}"
        }
        setContentView(TextView(this).apply { setText(text) })
    }
}
