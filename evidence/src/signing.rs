//! Signing records with a key the app holds, and checking signatures with the matching key.
//!
//! The app supplies a [`Signer`]: on a phone it calls Android Keystore or the iOS Keychain /
//! Secure Enclave, so the private key never leaves secure hardware. Two algorithms:
//! - `ecdsa-p256-sha256`: ECDSA over P-256 with SHA-256 of the message, the signature DER
//!   encoded (what Keystore's `SHA256withECDSA` and `SecKeyCreateSignature` with
//!   `.ecdsaSignatureMessageX962SHA256` return) or the 64-byte `r || s` (CryptoKit's
//!   `rawRepresentation`); the backend checks it with the public key.
//! - `hmac-sha256`: HMAC-SHA-256 with a secret shared with the backend.
//!
//! [`HmacSha256Signer`] and [`P256Signer`] sign in process, for tests, the CLI and desktop use.

use hmac::{Hmac, Mac};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey};

/// ECDSA P-256 with SHA-256.
pub const ECDSA_P256_SHA256: &str = "ecdsa-p256-sha256";
/// HMAC-SHA-256.
pub const HMAC_SHA256: &str = "hmac-sha256";
/// The algorithms a [`Signer`] may use.
pub const ALGORITHMS: [&str; 2] = [ECDSA_P256_SHA256, HMAC_SHA256];

/// The longest key id a record carries, in bytes.
pub const MAX_KEY_ID_BYTES: usize = 256;

/// Signs the canonical bytes of records with a key the app holds.
///
/// Each method may fail (the key locked, the keystore gone): the attempt is then neither
/// recorded nor counted. A signer must not call back into an evidence store: such a call fails
/// (on the thread that signs) rather than wait for the store it is signing for.
pub trait Signer: Send + Sync {
    /// Identifies the key to the backend (recorded, and covered by the signature): 1 to
    /// [`MAX_KEY_ID_BYTES`] bytes, no control characters.
    fn key_id(&self) -> Result<String, String>;
    /// One of [`ALGORITHMS`], the same for the store's whole life.
    fn algorithm(&self) -> Result<String, String>;
    /// The signature of `message` in its algorithm's form (see [`check_signature`]); an error
    /// message when the key is unavailable.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String>;
}

/// Whether `signature` has the form `algorithm` gives: for `hmac-sha256` 32 bytes, for
/// `ecdsa-p256-sha256` a DER-encoded signature or 64 bytes `r || s`, with r and s in range.
/// The signature itself is checked by the backend (or [`VerifyKey::verify`]), which holds the
/// key; this check only keeps a record whose signature cannot be valid out of the chain.
pub fn check_signature(algorithm: &str, signature: &[u8]) -> Result<(), String> {
    let ok = match algorithm {
        HMAC_SHA256 => signature.len() == 32,
        ECDSA_P256_SHA256 => {
            (signature.len() == 64 && p256::ecdsa::Signature::from_slice(signature).is_ok())
                || p256::ecdsa::Signature::from_der(signature).is_ok()
        }
        other => return Err(format!("algorithm {other:?} is not one of {}", ALGORITHMS.join(", "))),
    };
    if ok {
        Ok(())
    } else {
        let form = if algorithm == HMAC_SHA256 { "32 bytes" } else { "DER or 64 bytes r || s" };
        Err(format!("the signer returned {} bytes that are not a {algorithm} signature ({form})", signature.len()))
    }
}

thread_local! {
    /// Set while this thread is inside an app's signer (see [`Checked`]).
    static SIGNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside a signer's method, called by an evidence store: a store
/// refuses work then, since the store that called the signer holds its lock.
pub(crate) fn inside_signer() -> bool {
    SIGNING.with(std::cell::Cell::get)
}

/// The app's signer as an evidence store uses it: the algorithm fixed when the store opens,
/// every answer checked before it reaches a record (key id, algorithm unchanged, signature
/// form), and calls from the signer back into a store detected ([`inside_signer`]).
pub(crate) struct Checked {
    inner: std::sync::Arc<dyn Signer>,
    algorithm: String,
}

impl Checked {
    /// Asks the signer its algorithm once and keeps it: a signer that throws is a signing
    /// error, one naming an unknown algorithm bad input.
    pub(crate) fn new(inner: std::sync::Arc<dyn Signer>) -> Result<Self, crate::StoreError> {
        let algorithm = Self::call(|| inner.algorithm())
            .map_err(|e| crate::record::RecordError::Signer(format!("algorithm: {e}")))?;
        if !ALGORITHMS.contains(&algorithm.as_str()) {
            return Err(crate::StoreError::InvalidInput(format!(
                "signer algorithm {algorithm:?} is not one of {}",
                ALGORITHMS.join(", ")
            )));
        }
        Ok(Self { inner, algorithm })
    }

    /// Runs one call into the app's signer with the re-entrancy flag set.
    fn call<T>(f: impl FnOnce() -> T) -> T {
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                SIGNING.with(|s| s.set(self.0));
            }
        }
        let _reset = Reset(SIGNING.with(|s| s.replace(true)));
        f()
    }
}

impl Signer for Checked {
    fn key_id(&self) -> Result<String, String> {
        let id = Self::call(|| self.inner.key_id()).map_err(|e| format!("key id: {e}"))?;
        if id.is_empty() || id.len() > MAX_KEY_ID_BYTES || id.chars().any(char::is_control) {
            let shown: String = id.chars().take(40).collect();
            return Err(format!(
                "key id {shown:?} ({} bytes) must be 1 to {MAX_KEY_ID_BYTES} bytes without control characters",
                id.len()
            ));
        }
        Ok(id)
    }

    fn algorithm(&self) -> Result<String, String> {
        let now = Self::call(|| self.inner.algorithm()).map_err(|e| format!("algorithm: {e}"))?;
        if now != self.algorithm {
            return Err(format!("algorithm changed from {:?} to {now:?} since the store opened", self.algorithm));
        }
        Ok(now)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let signature = Self::call(|| self.inner.sign(message))?;
        check_signature(&self.algorithm, &signature)?;
        Ok(signature)
    }
}

/// Signs with an HMAC-SHA-256 secret held in memory.
pub struct HmacSha256Signer {
    key_id: String,
    secret: Vec<u8>,
}

impl HmacSha256Signer {
    /// A signer for `secret`, known to the backend as `key_id`.
    pub fn new(key_id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        Self { key_id: key_id.into(), secret: secret.into() }
    }
}

impl Signer for HmacSha256Signer {
    fn key_id(&self) -> Result<String, String> {
        Ok(self.key_id.clone())
    }
    fn algorithm(&self) -> Result<String, String> {
        Ok(HMAC_SHA256.to_owned())
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.secret).map_err(|e| e.to_string())?;
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

/// Signs with an ECDSA P-256 private key held in memory (DER signatures).
pub struct P256Signer {
    key_id: String,
    key: p256::ecdsa::SigningKey,
}

impl P256Signer {
    /// A signer for a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(key_id: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        let key =
            p256::ecdsa::SigningKey::from_pkcs8_pem(pem).map_err(|e| KeyError(format!("P-256 private key: {e}")))?;
        Ok(Self { key_id: key_id.into(), key })
    }

    /// A signer for a raw 32-byte private scalar.
    pub fn from_bytes(key_id: impl Into<String>, scalar: &[u8]) -> Result<Self, KeyError> {
        let key =
            p256::ecdsa::SigningKey::from_slice(scalar).map_err(|e| KeyError(format!("P-256 private key: {e}")))?;
        Ok(Self { key_id: key_id.into(), key })
    }

    /// The public key that checks this signer's signatures.
    pub fn verifying_key(&self) -> VerifyKey {
        VerifyKey::P256(*self.key.verifying_key())
    }
}

impl Signer for P256Signer {
    fn key_id(&self) -> Result<String, String> {
        Ok(self.key_id.clone())
    }
    fn algorithm(&self) -> Result<String, String> {
        Ok(ECDSA_P256_SHA256.to_owned())
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let signature: p256::ecdsa::Signature = self.key.sign(message);
        Ok(signature.to_der().as_bytes().to_vec())
    }
}

/// A key could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("invalid key: {0}")]
pub struct KeyError(pub String);

/// What checks signatures: the public key of an ECDSA signer, or an HMAC secret.
#[derive(Clone)]
pub enum VerifyKey {
    /// An ECDSA P-256 public key.
    P256(p256::ecdsa::VerifyingKey),
    /// An HMAC-SHA-256 secret.
    Hmac(Vec<u8>),
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::P256(_) => f.write_str("VerifyKey::P256"),
            Self::Hmac(_) => f.write_str("VerifyKey::Hmac(..)"), // never the secret
        }
    }
}

impl VerifyKey {
    /// A P-256 public key from SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn p256_from_pem(pem: &str) -> Result<Self, KeyError> {
        p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
            .map(Self::P256)
            .map_err(|e| KeyError(format!("P-256 public key: {e}")))
    }

    /// The algorithm this key checks.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::P256(_) => ECDSA_P256_SHA256,
            Self::Hmac(_) => HMAC_SHA256,
        }
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Hmac(secret) => {
                let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else { return false };
                mac.update(message);
                mac.verify_slice(signature).is_ok()
            }
            Self::P256(key) => {
                let parsed = if signature.len() == 64 {
                    p256::ecdsa::Signature::from_slice(signature)
                } else {
                    p256::ecdsa::Signature::from_der(signature)
                };
                parsed.is_ok_and(|s| key.verify(message, &s).is_ok())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_signatures_verify_with_the_secret_only() {
        let signer = HmacSha256Signer::new("k1", b"secret".to_vec());
        let sig = signer.sign(b"message").expect("signs");
        assert!(VerifyKey::Hmac(b"secret".to_vec()).verify(b"message", &sig));
        assert!(!VerifyKey::Hmac(b"other".to_vec()).verify(b"message", &sig));
        assert!(!VerifyKey::Hmac(b"secret".to_vec()).verify(b"messagE", &sig));
    }

    #[test]
    fn p256_signatures_verify_in_der_and_raw_form() {
        let signer = P256Signer::from_bytes("k2", &[7u8; 32]).expect("valid scalar");
        let der = signer.sign(b"message").expect("signs");
        let key = signer.verifying_key();
        assert!(key.verify(b"message", &der));
        assert!(!key.verify(b"other", &der));
        let raw = p256::ecdsa::Signature::from_der(&der).expect("der").to_bytes();
        assert!(key.verify(b"message", &raw));
        let other = P256Signer::from_bytes("k3", &[9u8; 32]).expect("valid scalar").verifying_key();
        assert!(!other.verify(b"message", &der));
    }

    #[test]
    fn a_bad_private_key_is_a_clear_error() {
        let e = P256Signer::from_bytes("k", &[0u8; 32]).err().expect("zero is not a key");
        assert!(e.to_string().starts_with("invalid key: P-256 private key"), "{e}");
    }
}
