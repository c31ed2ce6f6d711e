package dev.proofshot

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

/**
 * Without ONNX Runtime the Verifier throws RuntimeUnavailable naming the fix. Run in its own JVM
 * (scripts/kotlin-test.sh): the runtime is loaded once per process, and ProofShotTest loads it.
 */
class RuntimeMissingTest {
    @Test
    fun aMissingRuntimeIsRuntimeUnavailable() {
        val e = assertThrows(ProofShotException.RuntimeUnavailable::class.java) {
            Verifier(runtimeLibraryPath = "/nonexistent/libonnxruntime.so")
        }
        assertTrue(e.message!!.contains("/nonexistent/libonnxruntime.so"), e.message)
        assertTrue(e.message!!.contains("ORT_DYLIB_PATH"), e.message)
    }
}
