package dev.proofshot

import java.io.File
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/**
 * The Kotlin boundary on the JVM: construction, each input kind, field mapping, each error
 * variant as its exception, sessions through retry to manual review, logging, concurrent use,
 * and close()/use {}. Photos come from `proofshot samples` (system property proofshot.samples).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProofShotTest {
    private val samples = File(System.getProperty("proofshot.samples") ?: error("set -Dproofshot.samples"))
    private val verifier = Verifier()

    private fun photo(name: String): ByteArray = File(samples, name).readBytes()

    private fun Verdict.criterion(id: String): CriterionResult = criteria.first { it.id == id }

    private fun rgbaFrame(w: Int, h: Int, value: Int, format: FrameFormat = FrameFormat.RGBA8888, rotation: Int = 0): CameraFrame {
        val stride = w * 4 + 16
        val bytes = ByteArray(stride * h)
        for (y in 0 until h) for (x in 0 until w) {
            val i = y * stride + x * 4
            bytes[i] = value.toByte(); bytes[i + 1] = value.toByte(); bytes[i + 2] = value.toByte(); bytes[i + 3] = -1
        }
        return CameraFrame(w.toUInt(), h.toUInt(), format, listOf(FramePlane(bytes, stride.toUInt(), 4u)), rotation)
    }

    @AfterAll
    fun closeVerifier() = verifier.close()

    @Test
    fun constructsWithTheBuiltInPolicy() {
        assertEquals("proof-of-delivery-policy", verifier.policyId())
        assertEquals("0.1.0", sdkVersion())
    }

    @Test
    fun policyInfoGivesTheScreenText() {
        val info = verifier.policyInfo()
        assertEquals("proof-of-delivery-policy", info.id)
        assertEquals(2u, info.maxAttempts)
        assertEquals(listOf("valid_pod", "invalid_pod", "poor_photo"), info.categories.map { it.id })
        assertEquals("Valid Delivery Proof", info.categories[0].label)
        assertEquals(listOf(true, false, false), info.categories.map { it.compliant })
        assertEquals("Delivery Photo", info.scannerTitle)
        assertEquals("Verifying delivery...", info.processingMessage)
    }

    @Test
    fun verifyPhotoMapsEveryField() {
        val v = verifier.verifyPhoto(photo("black.jpg"))
        assertEquals("poor_photo", v.category)
        assertFalse(v.compliant)
        assertEquals("Delivery photo needs another try", v.message)
        assertTrue(v.elapsedMs > 0.0)
        for (b in v.boxes) {
            assertTrue(b.label in setOf("package", "door"))
            assertTrue(b.score in 0f..1f && b.x >= 0f && b.y >= 0f && b.width > 0f && b.height > 0f)
        }
        assertEquals(listOf("package_visible", "package_placed", "location_identifiable", "image_clear"), v.criteria.map { it.id })
        val clear = v.criterion("image_clear")
        assertEquals("too_dark", clear.reason)
        assertEquals("Too dark: turn on the flash or find light", clear.message)
        assertFalse(clear.passed)
        assertTrue(clear.required)
        assertEquals("Image is clear enough", clear.label)
        assertTrue(clear.score!! < 0.3f)
        val visible = v.criterion("package_visible")
        assertTrue(visible.score!! in 0f..1f)
        assertEquals(if (visible.passed) "ok" else "no_package", visible.reason)
    }

    @Test
    fun verifyPhotoGivesTheRightReasons() {
        for ((name, reason) in listOf("blurred.jpg" to "blurry", "overexposed.jpg" to "overexposed", "screenshot.png" to "not_a_photo")) {
            val v = verifier.verifyPhoto(photo(name))
            assertEquals("poor_photo", v.category, name)
            assertEquals(reason, v.criterion("image_clear").reason, name)
        }
        assertTrue(verifier.verifyPhoto(photo("porch.jpg")).criterion("image_clear").passed)
    }

    @Test
    fun verifyFrameForEachFormat() {
        for (format in listOf(FrameFormat.RGBA8888, FrameFormat.BGRA8888)) {
            assertEquals("too_dark", verifier.verifyFrame(rgbaFrame(64, 48, 0, format, 90)).criterion("image_clear").reason)
        }
        val (w, h) = 64 to 48
        val y = ByteArray(w * h)
        val vu = ByteArray(w * h / 2) { 128.toByte() }
        val nv21 = CameraFrame(w.toUInt(), h.toUInt(), FrameFormat.NV21, listOf(FramePlane(y + vu, w.toUInt(), 1u)), 270)
        assertEquals("too_dark", verifier.verifyFrame(nv21).criterion("image_clear").reason)
        val uv = ByteArray(w * h / 4) { 128.toByte() }
        val yuv = CameraFrame(
            w.toUInt(), h.toUInt(), FrameFormat.YUV420888,
            listOf(FramePlane(y, w.toUInt(), 1u), FramePlane(uv, (w / 2).toUInt(), 1u), FramePlane(uv, (w / 2).toUInt(), 1u)), 0,
        )
        assertEquals("too_dark", verifier.verifyFrame(yuv).criterion("image_clear").reason)
    }

    @Test
    fun guideGivesOneHintPerPreviewFrame() {
        val dark = verifier.guide(rgbaFrame(640, 480, 0))
        assertEquals(GuidanceHint.TOO_DARK, dark.hint)
        assertEquals("too_dark", dark.id)
        assertFalse(dark.ready)
        assertTrue(dark.message.isNotEmpty() && dark.elapsedMs > 0.0)
        val (w, h) = 640 to 480
        val black = ByteArray(w * h) + ByteArray(w * h / 2) { 128.toByte() } // Y = 0, neutral chroma
        val nv21 = CameraFrame(w.toUInt(), h.toUInt(), FrameFormat.NV21, listOf(FramePlane(black, w.toUInt(), 1u)), 90)
        assertEquals(GuidanceHint.TOO_DARK, verifier.guide(nv21).hint)
        val err = assertThrows(ProofShotException.InvalidImage::class.java) {
            verifier.guide(CameraFrame(w.toUInt(), h.toUInt(), FrameFormat.NV21, listOf(FramePlane(ByteArray(10), w.toUInt(), 1u)), 0))
        }
        assertTrue(err.message!!.isNotEmpty())
    }

    @Test
    fun invalidPolicyIsItsOwnExceptionNamingTheField() {
        val e = assertThrows(ProofShotException.InvalidPolicy::class.java) {
            Verifier(policyJson = """{"id": "x", "name": "y", "config": {"mode": "freeform"}}""")
        }
        assertTrue(e.message!!.contains("config.mode"), e.message)
    }

    @Test
    fun intraOpThreadsAreCheckedAndChangeNoVerdict() {
        for (bad in listOf(0, 17)) {
            val e = assertThrows(ProofShotException.InvalidArgument::class.java) { Verifier(intraOpThreads = bad.toUByte()) }
            assertTrue(e.message!!.contains("intraOpThreads") && e.message!!.contains("$bad"), e.message)
        }
        Verifier(intraOpThreads = 2u).use { two ->
            val (a, b) = verifier.verifyPhoto(photo("porch.jpg")) to two.verifyPhoto(photo("porch.jpg"))
            assertEquals(a.category, b.category)
            a.criteria.zip(b.criteria).forEach { (x, y) ->
                assertEquals(x.id to x.passed, y.id to y.passed)
                val (sx, sy) = (x.score ?: -1f) to (y.score ?: -1f)
                assertTrue(Math.abs(sx - sy) < 1e-3, "${x.id}: $sx against $sy")
            }
        }
    }

    @Test
    fun invalidImagesAndFramesAreInvalidImage() {
        val e = assertThrows(ProofShotException.InvalidImage::class.java) { verifier.verifyPhoto("nope".toByteArray()) }
        assertTrue(e.message!!.contains("unrecognised image format"), e.message)
        val frame = rgbaFrame(64, 48, 0)
        val short = frame.copy(planes = listOf(frame.planes[0].copy(bytes = frame.planes[0].bytes.copyOf(100))))
        val s = assertThrows(ProofShotException.InvalidImage::class.java) { verifier.verifyFrame(short) }
        assertTrue(s.message!!.contains("buffer holds 100 bytes"), s.message)
        assertThrows(ProofShotException.InvalidImage::class.java) { verifier.verifyFrame(rgbaFrame(8, 8, 0, rotation = 45)) }
    }

    @Test
    fun sessionRetriesThenGoesToManualReview() {
        verifier.startSession().use { s ->
            assertEquals(0u, s.attemptsUsed())
            assertEquals(2u, s.remaining())
            val first = s.submitPhoto(photo("black.jpg"))
            assertTrue(first is Decision.Retry, first.toString())
            first as Decision.Retry
            assertEquals(1u, first.remaining)
            assertEquals("Make sure the package is placed at the door and visible. 1 attempts remaining.", first.message)
            assertEquals("poor_photo", first.verdict.category)
            // an unreadable photo is an error and costs no attempt
            assertThrows(ProofShotException.InvalidImage::class.java) { s.submitPhoto(ByteArray(3)) }
            assertEquals(1u, s.attemptsUsed())
            val second = s.submitFrame(rgbaFrame(32, 32, 0))
            assertEquals(Decision.ManualReview(second.let { (it as Decision.ManualReview).verdict }, "Photo submitted for manual review."), second)
            assertTrue(s.isFinished())
            assertEquals(0u, s.remaining())
            assertThrows(ProofShotException.SessionFinished::class.java) { s.submitPhoto(photo("porch.jpg")) }
        }
    }

    @Test
    fun loggingBridgeReachesTheApp() {
        val records = java.util.Collections.synchronizedList(mutableListOf<Triple<LogLevel, String, String>>())
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {
                records.add(Triple(level, target, message))
            }
        }, LogLevel.DEBUG)
        Verifier().use { it.verifyPhoto(photo("porch.jpg")) }
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {}
        }, LogLevel.ERROR)
        assertTrue(records.any { it.first == LogLevel.DEBUG && it.second.startsWith("proofshot_core") && it.third.contains("verdict") }, records.toString())
        assertTrue(records.none { it.third.contains("porch") })
    }

    @Test
    fun concurrentCallsFromThreadsAgree() {
        val bytes = photo("porch.jpg")
        val expected = verifier.verifyPhoto(bytes).criteria
        val pool = Executors.newFixedThreadPool(4)
        try {
            val results = pool.invokeAll((0 until 16).map { Callable { verifier.verifyPhoto(bytes).criteria } }).map { it.get() }
            assertTrue(results.all { it == expected })
        } finally {
            pool.shutdown()
        }
    }

    @Test
    fun closedObjectsRefuseCalls() {
        val v = Verifier()
        v.use { assertEquals("proof-of-delivery-policy", it.policyId()) }
        assertThrows(IllegalStateException::class.java) { v.policyId() }
    }
}
