//! `proofshot verify`

use std::io::Write;
use std::path::PathBuf;

use proofshot_core::Verdict;

use crate::files::{self, Found};
use crate::{exit, json, parallel, EngineArgs, Failure};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    engine: EngineArgs,
    /// Output: `text` (one line per photo, for people) or `jsonl` (one JSON object per photo).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Photos verified at once, each by its own verifier (default: one per core). Output stays
    /// in the order of the photos.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Photos, or folders to search for them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Jsonl,
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    let policy = args.engine.policy()?;
    let photos = files::collect(&args.paths);
    if photos.is_empty() {
        return Err(Failure::usage("no photos found (looked for .jpg, .jpeg, .png, .webp)"));
    }
    let jobs = args.jobs.map_or_else(parallel::default_jobs, usize::from).min(photos.len());
    let verifiers =
        (0..jobs).map(|_| args.engine.verifier_with(policy.clone(), None)).collect::<Result<Vec<_>, _>>()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    let mut closed = false;
    parallel::in_order(
        &photos,
        verifiers,
        |verifier, _, found| {
            let path = found.path();
            let result = match found {
                Found::Problem(_, problem) => Err((problem.clone(), "io")),
                Found::Photo(_) => files::read_photo(path).map_err(|e| (e, "io")).and_then(|bytes| {
                    verifier.verify_encoded(&bytes).map_err(|e| (e.to_string(), json::error_kind(&e)))
                }),
            };
            let line = match (&result, args.format) {
                (Ok(v), Format::Jsonl) => json::verdict(path, v).to_string(),
                (Ok(v), Format::Text) => text_line(&path.display().to_string(), v),
                (Err((msg, kind)), Format::Jsonl) => json::error(path, msg, kind).to_string(),
                (Err((msg, _)), Format::Text) => format!("{}: error: {msg}", path.display()),
            };
            (line, result.is_err())
        },
        |_, (line, is_err)| {
            failed += usize::from(is_err);
            // a closed pipe (`| head`) ends the run quietly
            closed = writeln!(out, "{line}").is_err();
            !closed
        },
    );
    if closed {
        return Ok(exit::OK);
    }
    if failed > 0 {
        eprintln!("proofshot: {failed} of {} photos could not be verified", photos.len());
        return Ok(exit::SOME_FAILED);
    }
    Ok(exit::OK)
}

/// `path: category  id=reason ...  (12.3 ms)`: failing criteria with their reasons.
fn text_line(path: &str, v: &Verdict) -> String {
    let failing: Vec<String> =
        v.criteria.iter().filter(|c| !c.passed).map(|c| format!("{}={}", c.id(), c.reason)).collect();
    let detail = if failing.is_empty() { "all criteria pass".to_owned() } else { failing.join(" ") };
    format!("{path}: {}  {detail}  ({:.1} ms)", v.category, v.elapsed_ms)
}
