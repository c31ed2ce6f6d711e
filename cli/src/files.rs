//! Finding and reading photos: explicit files as given, folders searched recursively.
//!
//! A folder tree may hold anything: links back to a folder above (a loop), links to devices
//! (`/dev/zero`) or named pipes, folders that cannot be read. Every real folder is searched
//! once and every real file is listed once, whatever links lead to it; only regular files are
//! read, up to [`MAX_PHOTO_BYTES`]; and a problem with one path is reported for that path while
//! the others go on.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

const EXTENSIONS: [&str; 4] = ["jpg", "jpeg", "png", "webp"];

/// The largest photo file read: the SDK's own limit on encoded photos (160 MiB). Larger files
/// are refused before they are read.
pub(crate) const MAX_PHOTO_BYTES: u64 = proofshot_core::MAX_ENCODED_BYTES;

/// A path found: a photo to read, or a path that cannot be searched or read, with why.
pub(crate) enum Found {
    Photo(PathBuf),
    Problem(PathBuf, String),
}

impl Found {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Self::Photo(p) | Self::Problem(p, _) => p,
        }
    }
}

/// Every photo under `paths`: files as given (whatever their extension; a missing one is
/// reported when it is read), folders searched recursively for .jpg, .jpeg, .png and .webp,
/// each folder's entries in name order. A folder reached again through a link is skipped (with
/// a warning), and a file reached through several paths is listed at the first.
pub(crate) fn collect(paths: &[PathBuf]) -> Vec<Found> {
    collect_with(paths, list_folder)
}

fn list_folder(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect()
}

/// [`collect`], listing folders with `list` (a test makes one fail, which permissions cannot do
/// for root).
fn collect_with(paths: &[PathBuf], list: fn(&Path) -> std::io::Result<Vec<PathBuf>>) -> Vec<Found> {
    let mut walk = Walk { list, out: Vec::new(), folders: HashSet::new(), files: HashSet::new() };
    for p in paths {
        if p.is_dir() {
            walk.folder(p);
        } else {
            if let Ok(real) = p.canonicalize() {
                walk.files.insert(real);
            }
            walk.out.push(Found::Photo(p.clone()));
        }
    }
    walk.out
}

struct Walk {
    list: fn(&Path) -> std::io::Result<Vec<PathBuf>>,
    out: Vec<Found>,
    /// Real (canonical) paths of the folders searched and the files listed.
    folders: HashSet<PathBuf>,
    files: HashSet<PathBuf>,
}

impl Walk {
    fn folder(&mut self, dir: &Path) {
        let real = match dir.canonicalize() {
            Ok(real) => real,
            Err(e) => return self.out.push(Found::Problem(dir.to_owned(), format!("cannot read folder: {e}"))),
        };
        if !self.folders.insert(real.clone()) {
            log::warn!("{}: skipped, the folder {} was searched already (a link loop?)", dir.display(), real.display());
            return;
        }
        let mut entries = match (self.list)(dir) {
            Ok(entries) => entries,
            Err(e) => return self.out.push(Found::Problem(dir.to_owned(), format!("cannot read folder: {e}"))),
        };
        entries.sort();
        for p in entries {
            if p.is_dir() {
                self.folder(&p);
            } else if has_photo_extension(&p) {
                // a dangling link is listed, to be reported when it is read
                if p.canonicalize().map_or(true, |real| self.files.insert(real)) {
                    self.out.push(Found::Photo(p));
                }
            }
        }
    }
}

fn has_photo_extension(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Reads a photo file whole: only a regular file (after links), only up to
/// [`MAX_PHOTO_BYTES`]. A device, named pipe or socket is refused without reading from it (and
/// without waiting for a pipe's writer).
pub(crate) fn read_photo(path: &Path) -> Result<Vec<u8>, String> {
    read_regular(path, MAX_PHOTO_BYTES)
}

/// Reads a regular file whole, up to `max` bytes, as [`read_photo`] does.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let refuse = |meta: &std::fs::Metadata| -> Result<(), String> {
        if !meta.is_file() {
            return Err(format!("not a regular file (a {}): only regular files are read", kind_of(meta)));
        }
        if meta.len() > max {
            return Err(too_large(meta.len(), max));
        }
        Ok(())
    };
    refuse(&std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?)?;
    let file = open_without_blocking(path).map_err(|e| format!("cannot read file: {e}"))?;
    // the path may have been swapped between the two looks: what counts is what was opened
    let meta = file.metadata().map_err(|e| format!("cannot read file: {e}"))?;
    refuse(&meta)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64, max));
    }
    Ok(bytes)
}

fn too_large(len: u64, max: u64) -> String {
    format!("file too large: {len} bytes, over the limit of {max} bytes ({} MiB)", max >> 20)
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // opening a named pipe for reading waits for a writer, unless non-blocking
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(unix)]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "named pipe"
    } else if t.is_char_device() || t.is_block_device() {
        "device"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "folder"
    } else {
        "special file"
    }
}

/// A path for the JSON output, without loss: `path` as text (invalid UTF-8 replaced by U+FFFD,
/// for people) and, only where the name is not UTF-8, `path_base64`: the path's exact bytes.
pub(crate) fn json_path(path: &Path) -> (String, Option<String>) {
    let shown = path.display().to_string();
    if path.to_str().is_some() {
        return (shown, None);
    }
    #[cfg(unix)]
    {
        use base64::Engine;
        use std::os::unix::ffi::OsStrExt;
        (shown, Some(base64::engine::general_purpose::STANDARD.encode(path.as_os_str().as_bytes())))
    }
    #[cfg(not(unix))]
    (shown, None)
}

/// Names for the outputs of `inputs` in one folder: `STEM.SUFFIX`, and where two inputs share a
/// stem (`a/photo.jpg` and `b/photo.jpg`, `x.jpg` and `x.png`), `STEM-2.SUFFIX`, `STEM-3...` for
/// the later ones, so that no output overwrites another. Names are compared without case, as
/// on macOS and Windows file systems.
pub(crate) fn distinct_names<'a>(inputs: impl IntoIterator<Item = &'a Path>, suffix: &str) -> Vec<String> {
    let mut taken = HashSet::new();
    inputs
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().map_or_else(|| "photo".into(), |s| s.to_string_lossy().into_owned());
            let mut name = format!("{stem}.{suffix}");
            let mut n = 1;
            while !taken.insert(name.to_lowercase()) {
                n += 1;
                name = format!("{stem}-{n}.{suffix}");
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_cannot_be_listed_is_reported_and_the_others_searched() {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["a", "b", "c"] {
            std::fs::create_dir(dir.path().join(sub)).expect("folder");
            std::fs::write(dir.path().join(sub).join("p.jpg"), b"x").expect("file");
        }
        fn list_but_b(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
            if dir.ends_with("b") {
                return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
            }
            list_folder(dir)
        }
        let found = collect_with(&[dir.path().to_owned()], list_but_b);
        let shown: Vec<(bool, PathBuf)> = found
            .iter()
            .map(|f| (matches!(f, Found::Photo(_)), f.path().strip_prefix(dir.path()).expect("inside").to_owned()))
            .collect();
        let expected: Vec<(bool, PathBuf)> =
            vec![(true, "a/p.jpg".into()), (false, "b".into()), (true, "c/p.jpg".into())];
        assert_eq!(shown, expected);
        let Found::Problem(_, why) = &found[1] else { unreachable!() };
        assert!(why.starts_with("cannot read folder: permission denied"), "{why}");
    }

    #[test]
    fn names_shared_by_two_inputs_get_a_number() {
        let inputs = [
            Path::new("a/photo.jpg"),
            Path::new("b/photo.jpg"),
            Path::new("x.jpg"),
            Path::new("X.png"),
            Path::new("photo-2.jpg"),
        ];
        let names = distinct_names(inputs, "redacted.jpg");
        assert_eq!(
            names,
            [
                "photo.redacted.jpg",
                "photo-2.redacted.jpg",
                "x.redacted.jpg",
                "X-2.redacted.jpg",
                "photo-2-2.redacted.jpg"
            ]
        );
    }
}
