package dev.proofshot.demo.logic

import kotlin.io.encoding.Base64

/** The PEM text of a public key, for `proofshot audit --public-key` on the backend. */
object Pem {
    /** [der] is a SubjectPublicKeyInfo (`java.security.PublicKey.getEncoded()`). */
    fun publicKey(der: ByteArray): String {
        require(der.isNotEmpty()) { "no key bytes" }
        val base64 = Base64.Default.encode(der)
        val pem = StringBuilder("-----BEGIN PUBLIC KEY-----\n")
        // lines of 64 (a loop: kotlin-stdlib's chunked() is an invokedynamic dx cannot read below API 26)
        for (start in base64.indices step 64) pem.append(base64, start, minOf(start + 64, base64.length)).append('\n')
        return pem.append("-----END PUBLIC KEY-----\n").toString()
    }
}
