package dev.proofshot

import java.io.File
import java.nio.file.Files
import java.security.KeyPairGenerator
import java.security.PrivateKey
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import java.util.Base64
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/** HMAC-SHA-256 over javax.crypto, as an app would with a key from Android Keystore. */
class HmacSigner(private val secret: ByteArray, private val keyId: String = "test-hmac") : EvidenceSigner {
    override fun keyId() = keyId
    override fun algorithm() = "hmac-sha256"
    override fun sign(message: ByteArray): ByteArray =
        Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(secret, "HmacSHA256")) }.doFinal(message)
}

/** ECDSA P-256 with SHA-256 through java.security: the DER signatures Keystore returns. */
class EcdsaSigner(private val key: PrivateKey) : EvidenceSigner {
    override fun keyId() = "test-ecdsa"
    override fun algorithm() = "ecdsa-p256-sha256"
    override fun sign(message: ByteArray): ByteArray =
        Signature.getInstance("SHA256withECDSA").apply { initSign(key); update(message) }.sign()
}

/**
 * The evidence store from Kotlin: durable attempts across reopening, signed records and the
 * upload queue, reused photos, a failing signer, bad files and arguments, concurrent stops,
 * and a Java-signed chain checked by `proofshot audit`.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvidenceTest {
    private val samples = File(System.getProperty("proofshot.samples") ?: error("set -Dproofshot.samples"))
    private val cli = System.getProperty("proofshot.cli") ?: error("set -Dproofshot.cli")
    private val verifier = Verifier()
    private val dir = Files.createTempDirectory("proofshot-evidence").toFile()
    private val secret = "kotlin secret".toByteArray()

    private fun photo(name: String): ByteArray = File(samples, name).readBytes()

    private fun store(name: String, signer: EvidenceSigner = HmacSigner(secret), config: StoreConfig? = null) =
        EvidenceStore(File(dir, name).path, signer, config)

    @AfterAll
    fun cleanUp() {
        verifier.close()
        dir.deleteRecursively()
    }

    @Test
    fun attemptsSurviveReopeningTheStore() {
        store("reopen.db").use { st ->
            st.openSession(verifier, "stop-1").use { s ->
                val d = s.submitPhoto(photo("black.jpg"), Capture(timeMs = 1_700_000_000_000, latitude = 51.5, longitude = -0.12, accuracyM = 8.0))
                assertTrue(d is Decision.Retry, d.toString())
                assertNotNull((d as Decision.Retry).verdict.recordId)
            }
        }
        store("reopen.db").use { st ->
            st.openSession(verifier, "stop-1").use { s ->
                assertEquals(1u, s.attemptsUsed())
                assertEquals(1u, s.remaining())
                assertTrue(s.submitPhoto(photo("blurred.jpg")) is Decision.ManualReview)
                assertThrows(ProofShotException.SessionFinished::class.java) { s.submitPhoto(photo("porch.jpg")) }
            }
            val pending = st.pendingRecords(10u)
            assertEquals(listOf(1uL, 2uL), pending.map { it.seq })
            assertTrue(pending[0].json.contains("\"lat_e7\":515000000"), pending[0].json)
            assertEquals(2u, st.markUploaded(pending.map { it.recordId }))
            assertTrue(st.pendingRecords(10u).isEmpty())
            assertEquals(3, st.exportJsonl().lines().filter { it.isNotBlank() }.size, "2 records and the head line")
        }
    }

    @Test
    fun aPhotoOfferedForAnotherStopIsReused() {
        store("reuse.db").use { st ->
            val porch = photo("porch.jpg")
            val first = st.openSession(verifier, "stop-a").use { it.submitPhoto(porch) }
            val second = st.openSession(verifier, "stop-b").use { it.submitPhoto(porch) }
            val v = when (second) {
                is Decision.Retry -> second.verdict
                else -> error("expected a retry, got $second")
            }
            assertEquals("invalid_pod", v.category)
            assertEquals("reused_photo", v.rejectedFor)
            assertEquals("This photo was already used for another delivery: take a new one", v.rejectedMessage)
            assertFalse(v.compliant)
            assertTrue(st.exportJsonl().contains("\"reuse\":{\"distance\":0,\"record_id\":"), "the record names the earlier one")
            assertNotNull(first)
        }
    }

    @Test
    fun aFailingSignerRecordsAndCountsNothing() {
        val failing = object : EvidenceSigner {
            override fun keyId() = "locked"
            override fun algorithm() = "hmac-sha256"
            override fun sign(message: ByteArray): ByteArray = throw SignerException.KeyUnavailable("user not authenticated")
        }
        store("failing.db", failing).use { st ->
            st.openSession(verifier, "stop-1").use { s ->
                val e = assertThrows(ProofShotException.Signing::class.java) { s.submitPhoto(photo("porch.jpg")) }
                assertTrue(e.message!!.contains("user not authenticated"), e.message)
                assertEquals(0u, s.attemptsUsed())
            }
            assertTrue(st.pendingRecords(10u).isEmpty())
        }
    }

    @Test
    fun badFilesAndArgumentsAreNamed() {
        val garbage = File(dir, "garbage.db").apply { writeBytes(ByteArray(4096) { (it * 7).toByte() }) }
        val e = assertThrows(ProofShotException.Storage::class.java) { EvidenceStore(garbage.path, HmacSigner(secret)) }
        assertTrue(e.message!!.contains("not an SQLite database"), e.message)
        store("args.db").use { st ->
            assertThrows(ProofShotException.InvalidArgument::class.java) { st.openSession(verifier, "") }
            assertThrows(ProofShotException.InvalidArgument::class.java) { st.markUploaded(listOf("nope")) }
            st.openSession(verifier, "stop-1").use { s ->
                val c = assertThrows(ProofShotException.InvalidArgument::class.java) { s.submitPhoto(photo("porch.jpg"), Capture(latitude = 1.0)) }
                assertTrue(c.message!!.contains("latitude and longitude"), c.message)
            }
        }
    }

    @Test
    fun concurrentStopsFromThreadsStayConsistent() {
        store("threads.db", config = StoreConfig(reuseWindowMs = 0)).use { st ->
            val black = photo("black.jpg")
            val pool = Executors.newFixedThreadPool(4)
            try {
                pool.invokeAll((0 until 8).map { i ->
                    Callable { st.openSession(verifier, "stop-$i").use { s -> repeat(2) { s.submitPhoto(black) } } }
                }).forEach { it.get() }
            } finally {
                pool.shutdown()
            }
            val records = st.pendingRecords(100u)
            assertEquals((1uL..16uL).toList(), records.map { it.seq })
            for (i in 0 until 8) st.openSession(verifier, "stop-$i").use { assertEquals(2u, it.attemptsUsed()) }
        }
    }

    @Test
    fun redactedCopyIsAFreshJpegWhoseHashIsRecorded() {
        val porch = photo("porch.jpg")
        val copy = verifier.redact(porch, RedactOptions(maxSide = 640u))
        assertTrue(copy.width <= 640u && copy.height <= 640u, "${copy.width}x${copy.height}")
        assertEquals(0xFF.toByte(), copy.jpeg[0])
        assertTrue(copy.regions.isEmpty(), "nobody on the rendered porch")
        assertTrue(copy.elapsedMs > 0.0)
        store("redacted.db").use { st ->
            st.openSession(verifier, "stop-1").use { it.submitPhoto(porch, redactedCopy = copy.jpeg) }
            val sha = java.security.MessageDigest.getInstance("SHA-256").digest(copy.jpeg).joinToString("") { "%02x".format(it) }
            assertTrue(st.pendingRecords(1u)[0].json.contains("\"redacted_sha256\":\"$sha\""))
        }
        assertThrows(ProofShotException.InvalidImage::class.java) { verifier.redact(ByteArray(5)) }
    }

    @Test
    fun aJavaSignedChainPassesTheAudit() {
        val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
        val pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(pair.public.encoded) + "\n-----END PUBLIC KEY-----\n"
        val keyFile = File(dir, "public.pem").apply { writeText(pem) }
        val export = File(dir, "export.jsonl")
        store("ecdsa.db", EcdsaSigner(pair.private)).use { st ->
            st.openSession(verifier, "stop-1").use { it.submitPhoto(photo("porch.jpg")) }
            st.openSession(verifier, "stop-2").use { it.submitPhoto(photo("black.jpg")) }
            export.writeText(st.exportJsonl())
        }
        val p = ProcessBuilder(cli, "audit", export.path, "--public-key", keyFile.path).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        assertEquals(0, p.waitFor(), out)
        assertTrue(out.startsWith("chain holds: 2 records"), out)
        assertTrue(out.contains("checked (ecdsa-p256-sha256)"), out)
    }
}
