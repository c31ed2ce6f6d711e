//! `proofshot audit`: checks an exported evidence chain (`exportJsonl`) or, with
//! `--partial`, a batch of pending records, and names the first broken link.

use std::path::PathBuf;

use proofshot_evidence::{audit, AuditOptions, KnownHead, VerifyKey};

use crate::{exit, files, Failure};

/// The largest export read: 2 GiB, some million records (a record is about 1.5 KB).
const MAX_EXPORT_BYTES: u64 = 2 << 30;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The export: one record per line, then the head line.
    file: PathBuf,
    /// HMAC-SHA-256 secret, as hex, to check `hmac-sha256` signatures.
    #[arg(long, value_name = "HEX", conflicts_with_all = ["hmac_key_file", "public_key"])]
    hmac_key: Option<String>,
    /// File holding the HMAC-SHA-256 secret as raw bytes.
    #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
    hmac_key_file: Option<PathBuf>,
    /// P-256 public key (PEM, `-----BEGIN PUBLIC KEY-----`) to check `ecdsa-p256-sha256`
    /// signatures.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// A batch of records rather than a whole export: it may start after seq 1 and has no
    /// head line.
    #[arg(long)]
    partial: bool,
    /// The seq of the last record this backend accepted from the device before: an export that
    /// ends before it, or holds another record there, is rolled back (with --known-hash).
    #[arg(long, value_name = "SEQ", requires = "known_hash")]
    known_seq: Option<u64>,
    /// The hash of that record (hex).
    #[arg(long, value_name = "HEX", requires = "known_seq")]
    known_hash: Option<String>,
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    // keys are a few hundred bytes
    let read = |p: &PathBuf| {
        files::read_regular(p, 1 << 20).map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())))
    };
    let key = if let Some(hex) = &args.hmac_key {
        Some(VerifyKey::Hmac(decode_hex(hex.trim()).ok_or_else(|| Failure::usage("--hmac-key: expected hex digits"))?))
    } else if let Some(path) = &args.hmac_key_file {
        Some(VerifyKey::Hmac(read(path)?))
    } else if let Some(path) = &args.public_key {
        let pem =
            String::from_utf8(read(path)?).map_err(|_| Failure::usage(format!("{}: not PEM text", path.display())))?;
        Some(VerifyKey::p256_from_pem(&pem).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?)
    } else {
        None
    };
    let bytes = files::read_regular(&args.file, MAX_EXPORT_BYTES)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.file.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| Failure {
        code: exit::BROKEN,
        message: format!("{}: not UTF-8 text (byte {})", args.file.display(), e.utf8_error().valid_up_to()),
    })?;
    let signatures = key.as_ref().map(|k| k.algorithm());
    let known = args.known_seq.zip(args.known_hash.clone()).map(|(seq, hash)| KnownHead { seq, hash });
    match audit(&text, &AuditOptions { key, partial: args.partial, known }) {
        Ok(report) => {
            let (first, last) = report.seq_range;
            println!(
                "chain holds: {} records (seq {first} to {last}), head {}; signatures {}",
                report.records,
                report.head_hash,
                signatures.map_or("NOT checked (no key given)".to_owned(), |alg| format!("checked ({alg})"))
            );
            Ok(exit::OK)
        }
        Err(failure) => {
            Err(Failure { code: exit::BROKEN, message: format!("{}: chain broken at {failure}", args.file.display()) })
        }
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}
