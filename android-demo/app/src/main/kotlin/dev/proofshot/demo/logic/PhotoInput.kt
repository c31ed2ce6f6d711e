package dev.proofshot.demo.logic

import dev.proofshot.maxPhotoBytes
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream

/** A picked file larger than the SDK accepts. */
class PhotoTooLargeException(val limit: Long) :
    IOException("The file is larger than ${limit / (1024 * 1024)} MB, the most a photo may be")

/** Reading a photo picked from the gallery or a policy file, with a bound. */
object PhotoInput {
    /**
     * Every byte of [input], or [PhotoTooLargeException] as soon as it passes [limit] (by default
     * the SDK's own `maxPhotoBytes()`): a huge or endless file never fills the app's memory.
     */
    fun readBounded(input: InputStream, limit: Long = maxPhotoBytes().toLong()): ByteArray {
        val out = ByteArrayOutputStream()
        val chunk = ByteArray(64 * 1024)
        while (true) {
            val n = input.read(chunk)
            if (n < 0) break
            if (out.size().toLong() + n > limit) throw PhotoTooLargeException(limit)
            out.write(chunk, 0, n)
        }
        if (out.size() == 0) throw IOException("The file is empty")
        return out.toByteArray()
    }

    /** The largest policy file the demo reads (policies are a few kilobytes). */
    const val MAX_POLICY_BYTES = 256L * 1024
}
