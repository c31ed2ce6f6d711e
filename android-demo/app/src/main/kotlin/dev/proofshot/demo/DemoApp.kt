package dev.proofshot.demo

import android.app.Application
import dev.proofshot.EvidenceStore
import dev.proofshot.Verifier
import dev.proofshot.demo.logic.ResultScreen
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/** What the result screen shows: the photo as submitted, its redacted copy, and the screen text. */
class Shown(val photo: ByteArray, val redacted: ByteArray?, val redactedWidth: Int, val screen: ResultScreen)

/**
 * The SDK objects the screens share, made once and off the UI thread: one [Verifier] (models
 * load in about 0.1 s; it is thread-safe), one [EvidenceStore] in the app's private storage, and
 * the Keystore signer behind it. Everything that runs models or touches the store goes through
 * [worker], one thread, so photos are judged in the order they were taken; live guidance has its
 * own thread so a verification never stalls the preview's hints.
 */
class DemoApp : Application() {
    val worker: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, "proofshot-worker") }
    val guidanceWorker: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, "proofshot-guidance") }
    val signer by lazy { KeystoreSigner(KEY_ALIAS) }

    @Volatile private var verifier: Verifier? = null
    @Volatile private var store: EvidenceStore? = null

    /** The policy in force: `null` for the SDK's built-in one, else the JSON QA picked. */
    @Volatile var policyJson: String? = null
        private set

    /** The last result, for the result screen (a photo is too big for an Intent). */
    @Volatile var shown: Shown? = null

    /** The verifier, created on first use. Call on a worker thread. */
    @Synchronized
    fun verifier(): Verifier = verifier ?: Verifier(policyJson).also { verifier = it }

    /** The verifier if it is ready, for the preview (which never waits for it). */
    fun verifierIfReady(): Verifier? = verifier

    /**
     * Switches policy: [json] `null` for the built-in one. An invalid policy throws
     * `ProofShotException.InvalidPolicy` naming the JSON path at fault, and the old one stays.
     */
    @Synchronized
    fun usePolicy(json: String?) {
        val next = Verifier(json)
        verifier?.close()
        verifier = next
        policyJson = json
    }

    /** The evidence store, opened on first use; a file it cannot use is a `Storage` error. */
    @Synchronized
    fun store(): EvidenceStore =
        store ?: EvidenceStore(File(filesDir, "evidence.db").path, signer, null).also { store = it }

    companion object {
        const val KEY_ALIAS = "proofshot-demo-evidence"
    }
}
