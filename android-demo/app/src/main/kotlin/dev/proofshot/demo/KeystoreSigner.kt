package dev.proofshot.demo

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import dev.proofshot.EvidenceSigner
import dev.proofshot.SignerException
import dev.proofshot.demo.logic.Pem
import java.security.GeneralSecurityException
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.Signature
import java.security.spec.ECGenParameterSpec

/**
 * Signs evidence records with an ECDSA P-256 key made in Android Keystore on first use: the
 * private key never leaves the secure hardware (or the TEE). The backend checks exports with
 * the key's public half ([publicKeyPem]) and `proofshot audit --public-key`.
 */
class KeystoreSigner(private val alias: String) : EvidenceSigner {
    private val keyStore: KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

    override fun keyId() = alias

    override fun algorithm() = "ecdsa-p256-sha256"

    override fun sign(message: ByteArray): ByteArray = try {
        Signature.getInstance("SHA256withECDSA").run {
            initSign(privateKey())
            update(message)
            sign()
        }
    } catch (e: GeneralSecurityException) {
        // the record is then neither written nor counted; the SDK says so in a Signing error
        throw SignerException.KeyUnavailable("Android Keystore: ${e.message}")
    }

    /** The public key as PEM, for the backend. */
    fun publicKeyPem(): String {
        privateKey()
        return Pem.publicKey(keyStore.getCertificate(alias).publicKey.encoded)
    }

    @Synchronized
    private fun privateKey(): java.security.PrivateKey {
        (keyStore.getKey(alias, null) as? java.security.PrivateKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
            .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
            .setDigests(KeyProperties.DIGEST_SHA256)
            .build()
        return KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER)
            .apply { initialize(spec) }
            .generateKeyPair()
            .private
    }

    private companion object {
        const val PROVIDER = "AndroidKeyStore"
    }
}
