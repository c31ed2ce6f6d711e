//! The evidence store across the FFI: the app's signer as a callback, the store, and the
//! records it queues for upload.

use std::sync::Arc;

use proofshot_evidence as evidence;

use crate::ProofShotError;

/// Signs evidence records with a key the app holds: implement it over Android Keystore
/// (`Signature.getInstance("SHA256withECDSA")`) or the iOS Keychain / Secure Enclave
/// (`SecKeyCreateSignature(.ecdsaSignatureMessageX962SHA256)`), so the private key never
/// leaves secure hardware. `sign` receives a record's canonical bytes.
#[uniffi::export(with_foreign)]
pub trait EvidenceSigner: Send + Sync {
    /// Names the key to the backend; recorded and covered by the signature. 1 to 256 bytes
    /// of UTF-8, no control characters.
    fn key_id(&self) -> Result<String, SignerError>;
    /// `ecdsa-p256-sha256` (DER or 64-byte r||s signatures) or `hmac-sha256` (32 bytes);
    /// the same for the store's whole life.
    fn algorithm(&self) -> Result<String, SignerError>;
    /// The signature of `message`. Throw `SignerException.KeyUnavailable` when the key
    /// cannot be used (locked, user not authenticated); the attempt is then neither recorded
    /// nor counted, and the session call fails with `ProofShotException.Signing`. The same
    /// holds when any method throws anything else, when the key id is out of bounds, the
    /// algorithm changed, or the signature is not of the algorithm's form.
    ///
    /// Never call the evidence store from inside these methods: the store is waiting for
    /// the signature, and such a call fails with `InvalidArgument` (on another thread it would
    /// wait for the store forever).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError>;
}

/// What an app's [`EvidenceSigner`] throws.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SignerError {
    /// The key cannot be used now.
    #[error("{reason}")]
    KeyUnavailable {
        /// Why, for the `Signing` exception's message.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SignerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::KeyUnavailable { reason: format!("signer threw: {}", e.reason) }
    }
}

/// The app's signer, seen by the evidence crate.
struct ForeignSigner(Arc<dyn EvidenceSigner>);

impl evidence::Signer for ForeignSigner {
    fn key_id(&self) -> Result<String, String> {
        self.0.key_id().map_err(|e| e.to_string())
    }
    fn algorithm(&self) -> Result<String, String> {
        self.0.algorithm().map_err(|e| e.to_string())
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        self.0.sign(message.to_vec()).map_err(|e| e.to_string())
    }
}

/// Evidence store settings.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreConfig {
    /// How far back (device time, milliseconds) a photo is compared with other stops'
    /// photos; 0 turns reused-photo detection off. Default 30 days.
    #[uniffi(default = 2592000000)]
    pub reuse_window_ms: i64,
    /// Largest perceptual-hash distance (bits of 64) at which two photos count as the same.
    #[uniffi(default = 8)]
    pub reuse_max_distance: u32,
}

impl From<StoreConfig> for evidence::StoreConfig {
    fn from(c: StoreConfig) -> Self {
        Self { reuse_window_ms: c.reuse_window_ms, reuse_max_distance: c.reuse_max_distance }
    }
}

/// When and where the app says a photo was taken; every field optional.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct Capture {
    /// Capture time, Unix milliseconds.
    #[uniffi(default = None)]
    pub time_ms: Option<i64>,
    /// Degrees north (give both coordinates or neither).
    #[uniffi(default = None)]
    pub latitude: Option<f64>,
    /// Degrees east.
    #[uniffi(default = None)]
    pub longitude: Option<f64>,
    /// Horizontal accuracy, metres.
    #[uniffi(default = None)]
    pub accuracy_m: Option<f64>,
}

impl TryFrom<Capture> for evidence::Capture {
    type Error = ProofShotError;
    fn try_from(c: Capture) -> Result<Self, ProofShotError> {
        let location = match (c.latitude, c.longitude) {
            (Some(latitude), Some(longitude)) => {
                Some(evidence::Location { latitude, longitude, accuracy_m: c.accuracy_m })
            }
            (None, None) => None,
            _ => {
                return Err(ProofShotError::InvalidArgument(
                    "capture: give both latitude and longitude, or neither".into(),
                ))
            }
        };
        Ok(Self { time_ms: c.time_ms, location })
    }
}

/// A record waiting for upload.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingRecord {
    /// Position in the device's chain (from 1).
    pub seq: u64,
    /// Pass to `markUploaded` once the backend has it.
    pub record_id: String,
    /// The record: one line of JSON (see the README's "Evidence records").
    pub json: String,
}

impl From<evidence::StoreError> for ProofShotError {
    fn from(e: evidence::StoreError) -> Self {
        let message = e.to_string();
        match e {
            evidence::StoreError::Unusable { .. } | evidence::StoreError::Storage(_) => Self::Storage(message),
            evidence::StoreError::SessionFinished(_) => Self::SessionFinished(message),
            evidence::StoreError::Record(evidence::record::RecordError::Signer(_)) => Self::Signing(message),
            evidence::StoreError::Record(_) => Self::Internal(message),
            evidence::StoreError::InvalidInput(_) => Self::InvalidArgument(message),
        }
    }
}

impl From<evidence::SubmitError> for ProofShotError {
    fn from(e: evidence::SubmitError) -> Self {
        match e {
            evidence::SubmitError::Verify(e) => e.into(),
            evidence::SubmitError::Store(e) => e.into(),
        }
    }
}

/// The durable store of attempts and signed evidence records: one SQLite file in the app's
/// private storage. Sessions opened from it keep their attempt counts across app restarts;
/// every photo submitted leaves a signed record in a hash chain, queued until uploaded.
/// Thread-safe; open one per file.
#[derive(uniffi::Object)]
pub struct EvidenceStore {
    pub(crate) inner: Arc<evidence::EvidenceStore>,
}

#[uniffi::export]
impl EvidenceStore {
    /// Opens (or creates) the store at `path`. A file that is not a ProofShot evidence store
    /// (corrupt, another app's database, a newer schema) is a `Storage` error and is left
    /// untouched.
    #[uniffi::constructor(default(config = None))]
    pub fn new(
        path: String,
        signer: Arc<dyn EvidenceSigner>,
        config: Option<StoreConfig>,
    ) -> Result<Arc<Self>, ProofShotError> {
        crate::guard(|| {
            let config = config.map_or_else(evidence::StoreConfig::default, Into::into);
            let store = evidence::EvidenceStore::open(path, Arc::new(ForeignSigner(signer)), config)?;
            Ok(Arc::new(Self { inner: Arc::new(store) }))
        })
    }

    /// The session of stop `stop_id`, judged by `verifier`: continues the stored count.
    pub fn open_session(
        &self,
        verifier: Arc<crate::Verifier>,
        stop_id: String,
    ) -> Result<Arc<crate::DeliverySession>, ProofShotError> {
        crate::guard(|| {
            let session = evidence::StopSession::new(self.inner.clone(), verifier.inner.clone(), stop_id);
            session.state()?; // a bad stop id fails here, not at the first photo
            Ok(Arc::new(crate::DeliverySession::stored(verifier.inner.clone(), session)))
        })
    }

    /// Up to `limit` records not yet uploaded, oldest first.
    pub fn pending_records(&self, limit: u32) -> Result<Vec<PendingRecord>, ProofShotError> {
        crate::guard(|| {
            Ok(self
                .inner
                .pending_records(limit)?
                .into_iter()
                .map(|r| PendingRecord { seq: r.seq, record_id: r.record_id, json: r.json })
                .collect())
        })
    }

    /// Marks records uploaded (they stay in the chain); all or nothing, an unknown id is an
    /// `InvalidArgument` error. Returns how many were newly marked.
    pub fn mark_uploaded(&self, record_ids: Vec<String>) -> Result<u32, ProofShotError> {
        crate::guard(|| Ok(self.inner.mark_uploaded(&record_ids)?))
    }

    /// The whole chain as JSON lines, ending with a signed head line: what `proofshot audit`
    /// and the backend's verifier check.
    pub fn export_jsonl(&self) -> Result<String, ProofShotError> {
        crate::guard(|| Ok(self.inner.export_jsonl()?))
    }
}
