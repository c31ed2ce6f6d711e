package dev.proofshot.demo.logic

import dev.proofshot.ProofShotException
import java.io.IOException

/**
 * Every failure the demo can meet, as a sentence for the screen: the SDK's exceptions (their
 * messages already say what is wrong), a denied permission, an unreadable file. The same words
 * as `ios-demo`'s `ErrorText.swift`.
 */
object ErrorText {
    fun describe(e: Throwable): String = when (e) {
        is ProofShotException.InvalidImage -> "This photo can't be used: ${e.message}"
        is ProofShotException.InvalidPolicy -> "The policy is not valid: ${e.message}"
        is ProofShotException.RuntimeUnavailable -> "The checker could not start: ${e.message}"
        is ProofShotException.SessionFinished -> "This stop is already settled; start another stop. ${e.message}"
        is ProofShotException.Storage -> "The evidence store can't be used: ${e.message}"
        is ProofShotException.Signing -> "The signing key can't be used; the photo was not counted: ${e.message}"
        is ProofShotException.InvalidArgument -> "${e.message}"
        is ProofShotException.Internal -> "The SDK failed; please report this: ${e.message}"
        is PhotoTooLargeException -> "${e.message}"
        is SecurityException -> "Permission denied: ${e.message ?: "the camera needs permission"}"
        is IOException -> "The file could not be read: ${e.message ?: e.javaClass.simpleName}"
        else -> "Unexpected error (${e.javaClass.simpleName}): ${e.message}"
    }
}
