package dev.proofshot.demo.logic

import dev.proofshot.DetectedBox
import dev.proofshot.FrameFormat
import dev.proofshot.GuidanceHint
import dev.proofshot.ProofShotException
import dev.proofshot.Verifier
import java.io.ByteArrayInputStream
import java.io.IOException
import java.io.InputStream
import java.nio.ByteBuffer
import java.security.KeyPairGenerator
import java.security.spec.ECGenParameterSpec
import java.util.Base64
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Frame conversion, the guidance throttle, bounded reads, box geometry, PEM and error text. */
class LogicTest {
    /** A YUV_420_888 image as a camera gives it: padded rows, interleaved chroma (pixel stride 2). */
    private fun yuvPlanes(w: Int, h: Int, luma: Int): List<PlaneData> {
        val rowStride = w + 16
        val y = ByteBuffer.allocateDirect(rowStride * (h - 1) + w).apply { while (hasRemaining()) put(luma.toByte()); flip() }
        val chroma = ByteArray(rowStride * (h / 2 - 1) + w - 1) { 128.toByte() }
        // U and V views into one interleaved buffer, as most Android cameras lay them out
        val u = ByteBuffer.allocateDirect(chroma.size).apply { put(chroma); flip() }
        val v = ByteBuffer.allocateDirect(chroma.size).apply { put(chroma); flip() }
        return listOf(PlaneData(y, rowStride, 1), PlaneData(u, rowStride, 2), PlaneData(v, rowStride, 2))
    }

    @Test
    fun yuvFramesKeepStridesAndLeaveTheCameraBuffersAlone() {
        val planes = yuvPlanes(64, 48, 30)
        planes[0].buffer.position(0)
        val frame = Frames.yuv420(64, 48, planes, -90)
        assertEquals(FrameFormat.YUV420888, frame.format)
        assertEquals(270, frame.rotationDegrees)
        assertEquals(listOf(80u, 80u, 80u), frame.planes.map { it.rowStride })
        assertEquals(listOf(1u, 2u, 2u), frame.planes.map { it.pixelStride })
        assertEquals(80 * 47 + 64, frame.planes[0].bytes.size)
        assertEquals(0, planes[0].buffer.position(), "the camera's buffer is read, not consumed")
        assertThrows(IllegalArgumentException::class.java) { Frames.yuv420(64, 48, planes.take(2), 0) }
        assertThrows(IllegalArgumentException::class.java) { Frames.yuv420(64, 48, planes, 45) }
    }

    @Test
    fun theSdkJudgesAConvertedFrame() {
        Verifier().use { verifier ->
            val dark = verifier.guide(Frames.yuv420(640, 480, yuvPlanes(640, 480, 2), 90))
            assertEquals(GuidanceHint.TOO_DARK, dark.hint)
            assertFalse(dark.ready)
            // a frame whose planes are shorter than its size says is refused with a reason, not a crash
            val cut = yuvPlanes(64, 48, 30).mapIndexed { i, p ->
                if (i == 0) PlaneData(ByteBuffer.wrap(ByteArray(100)), p.rowStride, 1) else p
            }
            val e = assertThrows(ProofShotException.InvalidImage::class.java) { verifier.guide(Frames.yuv420(64, 48, cut, 0)) }
            assertTrue(ErrorText.describe(e).startsWith("This photo can't be used: "))
        }
    }

    @Test
    fun rotationFollowsSensorAndDisplay() {
        assertEquals(90, Frames.rotationDegrees(90, 0, frontFacing = false))
        assertEquals(0, Frames.rotationDegrees(90, 90, frontFacing = false))
        assertEquals(270, Frames.rotationDegrees(90, 180, frontFacing = false))
        assertEquals(270, Frames.rotationDegrees(270, 0, frontFacing = true))
        assertEquals(0, Frames.rotationDegrees(270, 90, frontFacing = true))
    }

    @Test
    fun throttleDropsFramesWhileBusyAndAboveItsRate() {
        val t = GuidanceThrottle(perSecond = 4)
        assertTrue(t.tryStart(0))
        assertFalse(t.tryStart(500), "busy")
        t.finish()
        assertFalse(t.tryStart(100), "too soon")
        assertTrue(t.tryStart(250))
        t.finish()
        assertTrue(t.tryStart(600))
        assertThrows(IllegalArgumentException::class.java) { GuidanceThrottle(0) }
    }

    @Test
    fun readsAreBounded() {
        val bytes = ByteArray(200_000) { it.toByte() }
        assertArrayEquals(bytes, PhotoInput.readBounded(ByteArrayInputStream(bytes), 200_000))
        val e = assertThrows(PhotoTooLargeException::class.java) { PhotoInput.readBounded(ByteArrayInputStream(bytes), 199_999) }
        assertEquals(e.message, ErrorText.describe(e))
        assertThrows(IOException::class.java) { PhotoInput.readBounded(ByteArrayInputStream(ByteArray(0))) }
        // an endless stream stops at the SDK's own limit
        val endless = object : InputStream() {
            override fun read() = 0
            override fun read(b: ByteArray, off: Int, len: Int) = len
        }
        val big = assertThrows(PhotoTooLargeException::class.java) { PhotoInput.readBounded(endless) }
        assertEquals(dev.proofshot.maxPhotoBytes().toLong(), big.limit)
    }

    @Test
    fun boxesLandOnTheFittedPhoto() {
        // a 4000x3000 photo in a 1000x1000 view: scale 0.25, 125 px bars above and below
        val fit = FitCenter(4000, 3000, 1000, 1000)
        assertEquals(0.25f, fit.scale)
        assertEquals(ViewRect(100f, 125f + 50f, 200f, 125f + 150f), fit.map(DetectedBox("package", 0.9f, 400f, 200f, 400f, 400f)))
        // the photo decoded at half size (BitmapFactory's inSampleSize 2): the box lands on the same place
        assertEquals(ViewRect(100f, 125f + 50f, 200f, 125f + 150f), FitCenter(2000, 1500, 1000, 1000).map(DetectedBox("door", 0.9f, 400f, 200f, 400f, 400f), 0.5f))
        assertThrows(IllegalArgumentException::class.java) { FitCenter(0, 1, 1, 1) }
    }

    @Test
    fun pemMatchesJavasMimeBase64() {
        val key = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair().public
        val pem = Pem.publicKey(key.encoded)
        val expected = "-----BEGIN PUBLIC KEY-----\n" +
            Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(key.encoded) + "\n-----END PUBLIC KEY-----\n"
        assertEquals(expected, pem)
        assertTrue(pem.lines().all { it.length <= 64 })
    }

    @Test
    fun everyErrorReadsAsASentence() {
        assertEquals("The policy is not valid: $.config: missing", ErrorText.describe(ProofShotException.InvalidPolicy("$.config: missing")))
        assertEquals("stop id is empty", ErrorText.describe(ProofShotException.InvalidArgument("stop id is empty")))
        assertTrue(ErrorText.describe(ProofShotException.Signing("locked")).endsWith("the photo was not counted: locked"))
        assertEquals("Permission denied: camera", ErrorText.describe(SecurityException("camera")))
        assertEquals("The file could not be read: gone", ErrorText.describe(IOException("gone")))
        assertEquals("Unexpected error (IllegalStateException): x", ErrorText.describe(IllegalStateException("x")))
    }
}
