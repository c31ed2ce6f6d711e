//! `proofshot`: verify delivery photos, evaluate accuracy on labelled photos, benchmark, audit
//! evidence chains.

mod audit;
mod bench;
mod eval;
mod files;
mod json;
mod parallel;
mod redact;
mod report;
mod samples;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use proofshot_core::{Error, ModelBundle, Policy, Verifier, VerifierConfig, MAX_INTRA_OP_THREADS, MODEL_FILES};

/// Exit codes scripts can rely on.
pub(crate) mod exit {
    /// Every photo was verified (whatever its category).
    pub(crate) const OK: u8 = 0;
    /// At least one photo could not be read or verified; the others were.
    pub(crate) const SOME_FAILED: u8 = 1;
    /// Bad command line, invalid policy, unreadable labels or baseline.
    pub(crate) const USAGE: u8 = 2;
    /// ONNX Runtime or a model could not be loaded.
    pub(crate) const RUNTIME: u8 = 3;
    /// `eval --baseline`: a figure fell below the baseline by more than the margin.
    pub(crate) const REGRESSION: u8 = 4;
    /// `audit`: the evidence chain is broken (or its file unreadable as a chain).
    pub(crate) const BROKEN: u8 = 5;
}

const AFTER_HELP: &str = "\
POLICY
  A policy is JSON in the format of policies/proof-of-delivery.json (the built-in default):
  categories valid_pod / invalid_pod / poor_photo, criteria package_visible, package_placed,
  location_identifiable and image_clear, each with a severity and `required`. A critical
  criterion passes only on clear evidence (score >= 0.70); a warning criterion fails only on
  clear evidence (score < 0.30). Every photo gets exactly one category: all required criteria
  pass -> valid_pod; image_clear fails -> poor_photo; any other failure -> invalid_pod.
  Reasons: no_package, held_in_hand, in_vehicle, not_placed, no_location_context, too_dark,
  overexposed, blurry, not_a_photo. Boxes: package and door, and the person holding the
  package or the vehicle it is in where that decided package_placed.

OUTPUT (verify --format jsonl), one object per photo:
  {\"path\", \"category\", \"compliant\", \"criteria\": {ID: {\"passed\", \"score\", \"reason\"}},
   \"boxes\": [{\"label\", \"score\", \"x\", \"y\", \"w\", \"h\"}], \"message\", \"elapsed_ms\",
   \"quality\": {\"too_dark\", \"overexposed\", \"blurry\", \"not_a_photo\"}}
  or, for a photo that could not be verified: {\"path\", \"error\", \"error_kind\"}.
  A path that is not UTF-8 also gets \"path_base64\", its exact bytes.
  boxes (package, door) are in pixels of the photo as given, upright; elapsed_ms excludes
  decoding.

EXIT CODES
  0 every photo verified   1 some photos could not be verified   2 usage or policy error
  3 ONNX Runtime or models unavailable   4 eval: below the baseline   5 audit: chain broken

ONNX RUNTIME
  Loaded from --ort-lib, else $ORT_DYLIB_PATH, else beside the executable (where `make build`
  puts it), else the system library path; debug builds also look in the project cache filled
  by scripts/setup-ort.sh.";

#[derive(Parser)]
#[command(name = "proofshot", version, about = "Check delivery photos against a proof-of-delivery policy, on this machine, offline.", after_help = AFTER_HELP)]
struct Cli {
    /// Log level on stderr: error, warn, info, debug, trace.
    #[arg(long, global = true, default_value = "warn", value_parser = ["off", "error", "warn", "info", "debug", "trace"])]
    log: String,
    #[command(subcommand)]
    command: Command,
}

/// The largest model file `--models` reads (the bundle's largest is under 6 MB).
const MAX_MODEL_BYTES: u64 = 256 << 20;

/// Options every command that verifies photos shares.
#[derive(clap::Args, Clone)]
pub(crate) struct EngineArgs {
    /// Policy JSON file (default: the built-in proof-of-delivery policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Path of the ONNX Runtime library (libonnxruntime.so / .dylib).
    #[arg(long, value_name = "FILE")]
    ort_lib: Option<PathBuf>,
    /// Folder whose model files (any of the bundle's: quality.onnx, heads.onnx, scene.onnx,
    /// criteria.onnx, ...) replace the embedded ones.
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Threads each model run may use (the SDK's `intraOpThreads`); with --jobs, per job.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=i64::from(MAX_INTRA_OP_THREADS)))]
    intra_op_threads: u8,
}

#[derive(Subcommand)]
enum Command {
    /// Verify photos (files, or folders searched for .jpg/.jpeg/.png/.webp): one line each.
    Verify(verify::Args),
    /// Verify labelled photos and print accuracy: confusion matrix, per-category and
    /// per-criterion precision/recall, and the photos it got wrong.
    Eval(eval::Args),
    /// Measure decode and model time on generated 12 MP JPEG and 1080p camera frames.
    Bench(bench::Args),
    /// Check an exported evidence chain: every record's hash, every link, and with a key every
    /// signature; names the first record that is edited, missing, out of order or forged.
    Audit(audit::Args),
    /// Write redacted copies of photos: faces (and with --people, whole people)
    /// pixelated, metadata dropped; or with --points, measure the face detector's recall.
    Redact(redact::Args),
    /// Write generated example photos (porch scene, dim, black, blurred, overexposed,
    /// screenshot) into a folder.
    Samples(samples::Args),
}

/// A command's failure: what to print and the exit code.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self { code: exit::USAGE, message: message.into() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::Runtime(_) => exit::RUNTIME,
            Error::Policy(_) | Error::Frame(_) => exit::USAGE,
        };
        Self { code, message: e.to_string() }
    }
}

impl EngineArgs {
    pub(crate) fn policy(&self) -> Result<Policy, Failure> {
        match &self.policy {
            None => Ok(Policy::default_policy()),
            Some(path) => {
                // a policy is a few kilobytes: a megabyte is plenty, and no device or pipe is read
                let bytes = files::read_regular(path, 1 << 20)
                    .map_err(|e| Failure::usage(format!("cannot read policy {}: {e}", path.display())))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| Failure::usage(format!("policy {}: not UTF-8 text", path.display())))?;
                Policy::from_json(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
            }
        }
    }

    /// A verifier with this policy, the embedded models overridden from `models_dir` (or
    /// `--models`), and the runtime from `--ort-lib`.
    pub(crate) fn verifier_with(
        &self,
        policy: Policy,
        models_dir: Option<&std::path::Path>,
    ) -> Result<Verifier, Failure> {
        let dir = models_dir.or(self.models.as_deref());
        let mut models = ModelBundle::embedded();
        if let Some(d) = dir {
            let mut found = 0;
            for file in MODEL_FILES {
                let path = d.join(file);
                if !path.is_file() {
                    continue;
                }
                let bytes = files::read_regular(&path, MAX_MODEL_BYTES)
                    .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
                models = models.with_file(file, bytes, &path.display().to_string()).expect("a bundle file");
                found += 1;
            }
            if found == 0 {
                return Err(Failure::usage(format!("no model file ({}) in {}", MODEL_FILES.join(", "), d.display())));
            }
        }
        let config = VerifierConfig {
            runtime_library: self.ort_lib.clone(),
            models,
            intra_op_threads: usize::from(self.intra_op_threads),
            ..Default::default()
        };
        Ok(Verifier::new(policy, config)?)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log.parse().unwrap_or(log::LevelFilter::Warn));
    let result = match cli.command {
        Command::Verify(args) => verify::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Samples(args) => samples::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Redact(args) => redact::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("proofshot: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

struct StderrLogger(log::LevelFilter);

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= self.0
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            eprintln!("[{} {}] {}", r.level(), r.target(), r.args());
        }
    }
    fn flush(&self) {}
}

fn init_logging(level: log::LevelFilter) {
    let logger = Box::leak(Box::new(StderrLogger(level)));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}
