//! `proofshot samples`: example photos the project renders itself, to try the plumbing.

use std::path::PathBuf;

use proofshot_fixtures as fx;

use crate::{exit, Failure};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder to write into (created if missing).
    dir: PathBuf,
}

pub(crate) fn run(args: &Args) -> Result<u8, Failure> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", args.dir.display())))?;
    let porch = fx::porch_scene(1600, 1200, 7);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("porch.jpg", fx::encode_jpeg(&porch, 90, None)),
        ("porch-dim.jpg", fx::encode_jpeg(&fx::darken(&porch, 0.35, 2.0, 1), 88, None)),
        ("empty-porch.jpg", fx::encode_jpeg(&fx::empty_porch(1600, 1200, 7), 90, None)),
        ("black.jpg", fx::encode_jpeg(&fx::darken(&porch, 0.01, 1.0, 2), 85, None)),
        ("blurred.jpg", fx::encode_jpeg(&fx::box_blur(&porch, 40), 85, None)),
        ("overexposed.jpg", fx::encode_jpeg(&fx::overexpose(&porch, 0.06), 85, None)),
        ("screenshot.png", fx::encode_png(&fx::app_screenshot(720, 1280, 3))),
    ];
    for (name, bytes) in files {
        let path = args.dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        println!("{}", path.display());
    }
    Ok(exit::OK)
}
