//! Finding and loading ONNX Runtime, and building model sessions on it.
//!
//! ONNX Runtime is loaded at run time (`ort`'s `load-dynamic`), never downloaded. The library
//! is looked for, in order: the path the app passes, `ORT_DYLIB_PATH`, beside the running
//! executable, the project's cache that `scripts/setup-ort.sh` fills, and finally by its bare
//! name through the system loader (on Android that finds the `libonnxruntime.so` that
//! Microsoft's AAR puts in the app's native library folder).
//!
//! On iOS, where an app may not load libraries of its own, ONNX Runtime is linked statically
//! from Microsoft's `onnxruntime.xcframework` instead, and the path is ignored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ort::environment::Environment;
use ort::session::Session;

/// The ONNX Runtime release this build is pinned to (with `ort` 2.0.0-rc.15).
pub const ONNXRUNTIME_VERSION: &str = "1.31.1";

/// Errors of loading ONNX Runtime or running a model on it.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum RuntimeError {
    /// No ONNX Runtime library at any of the places looked in.
    #[error(
        "ONNX Runtime {ONNXRUNTIME_VERSION} not found (looked in: {}, and the system library path); run `scripts/setup-ort.sh` to fetch it, or set ORT_DYLIB_PATH to the path of {}",
        .tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        library_file_name()
    )]
    NotFound {
        /// Every path looked at.
        tried: Vec<PathBuf>,
    },
    /// A library was found but could not be loaded or is the wrong version.
    #[error("could not load ONNX Runtime from {}: {detail}", .path.display())]
    Load {
        /// The library's path.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// A model could not be loaded into a session.
    #[error("model {model}: could not create a session: {detail}")]
    Session {
        /// Model name.
        model: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// A model failed while running, or returned outputs of an unexpected shape.
    #[error("model {model}: {detail}")]
    Inference {
        /// Model name.
        model: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// The platform's file name for the ONNX Runtime library.
pub fn library_file_name() -> String {
    format!("{}onnxruntime{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// The project's cache of the ONNX Runtime library, filled by `scripts/setup-ort.sh`, in debug
/// builds (tests, development) only. A release build never looks in a folder of the machine
/// that built it: on another machine (or once the build folder is gone, under `/tmp`) anyone
/// could put a library there to be loaded.
#[cfg(debug_assertions)]
pub fn project_cache_dir() -> Option<PathBuf> {
    Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(".cache").join("onnxruntime").join(ONNXRUNTIME_VERSION))
}

/// The project's cache of the ONNX Runtime library: `None` in release builds, which never look
/// in a folder of the machine that built them.
#[cfg(not(debug_assertions))]
pub fn project_cache_dir() -> Option<PathBuf> {
    None
}

/// Where the library is looked for, in order, when no path is passed explicitly:
/// `$ORT_DYLIB_PATH`, beside the executable, and in debug builds the project cache.
pub fn search_path() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        paths.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        paths.push(dir.join(library_file_name()));
    }
    paths.extend(project_cache_dir().map(|dir| dir.join(library_file_name())));
    paths
}

/// A loaded ONNX Runtime: the process-wide environment that sessions are built on.
#[derive(Clone)]
pub struct Runtime {
    env: Environment,
    library: Arc<PathBuf>,
    /// Threads one model run may use ([`Runtime::with_intra_threads`]); one by default.
    intra_threads: usize,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("library", &self.library).field("intra_threads", &self.intra_threads).finish()
    }
}

/// One ONNX Runtime per process: loaded by the first successful [`Runtime::load`].
static LOADED: Mutex<Option<Runtime>> = Mutex::new(None);

impl Runtime {
    /// Loads ONNX Runtime from `library` if given, else from the first existing path of
    /// [`search_path`]. Once loaded, later calls return the same runtime.
    pub fn load(library: Option<&Path>) -> Result<Self, RuntimeError> {
        let mut loaded = LOADED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(rt) = loaded.as_ref() {
            return Ok(rt.clone());
        }
        let (path, tried) = resolve(library)?;
        let load_err = |detail: String| RuntimeError::Load { path: path.clone(), detail };
        let env = init(&path)
            .map_err(|e| match tried {
                Some(tried) => {
                    log::debug!("no ONNX Runtime on the system library path: {e}");
                    RuntimeError::NotFound { tried }
                }
                None => load_err(e),
            })?
            .with_name("proofshot")
            .with_telemetry(false)
            .with_logger(Arc::new(forward_log))
            .build()
            .map_err(|e| load_err(e.to_string()))?;
        log::debug!("loaded ONNX Runtime from {}", path.display());
        let rt = Self { env, library: Arc::new(path), intra_threads: 1 };
        *loaded = Some(rt.clone());
        Ok(rt)
    }

    /// The same runtime, building sessions whose runs may use `threads` threads each (0 counts
    /// as 1). One, the default, suits phones, where the camera and the UI share the cores.
    pub fn with_intra_threads(mut self, threads: usize) -> Self {
        self.intra_threads = threads.max(1);
        self
    }

    /// The library this runtime was loaded from.
    pub fn library(&self) -> &Path {
        &self.library
    }

    /// Builds a session for an in-memory model, single-threaded unless
    /// [`with_intra_threads`](Self::with_intra_threads) asked for more (mobile apps give models
    /// one core each; the verifier runs several models in turn). Weights stored as int8 behind
    /// `DequantizeLinear` (`quality.onnx`, `heads.onnx`, `heads-guide.onnx`:
    /// `models/vision/shrink.py`) are folded back to float32 once, at load:
    /// `session.disable_quant_qdq` lets ONNX Runtime's constant folding take them, where it
    /// would otherwise keep them to dequantize on every run. These models are small, so their
    /// float32 copies cost little memory, and they run at float32's speed.
    pub(crate) fn session(&self, model: &'static str, bytes: &[u8]) -> Result<Session, RuntimeError> {
        self.build(model, bytes, Weights::FoldToFloat)
    }

    /// Builds a session that keeps a model's int8 weights as int8 in memory (issue 23). For a
    /// model quantized whole, activations too, in ONNX's QDQ form (`backbone.onnx`,
    /// `scene.onnx`: `models/vision/int8_compute.py`), ONNX Runtime fuses each
    /// `DequantizeLinear`, operator, `QuantizeLinear` group into an integer kernel
    /// (`QLinearConv`, ...) and the run computes in int8: about twice as fast as float32, and a
    /// fraction of the memory. For one whose weights alone are int8 (`people.onnx`), each run
    /// dequantizes them, which costs a little time and saves their float32 copies.
    pub(crate) fn int8_session(&self, model: &'static str, bytes: &[u8]) -> Result<Session, RuntimeError> {
        self.build(model, bytes, Weights::KeepInt8)
    }

    fn build(&self, model: &'static str, bytes: &[u8], weights: Weights) -> Result<Session, RuntimeError> {
        let err = |e: String| RuntimeError::Session { model, detail: e };
        let fold = match weights {
            Weights::FoldToFloat => "1",
            Weights::KeepInt8 => "0",
        };
        Session::builder(&self.env)
            .map_err(|e| err(e.to_string()))?
            .with_intra_threads(self.intra_threads)
            .map_err(|e| err(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| err(e.to_string()))?
            .with_config_entry("session.disable_quant_qdq", fold)
            .map_err(|e| err(e.to_string()))?
            // ONNX Runtime's memory patterns plan one block per input shape and keep it: peak
            // resident memory verifying and guiding 174-178 MiB with them, 160-163 without, no
            // slower (`proofshot bench`, issue 23)
            .with_memory_pattern(false)
            .map_err(|e| err(e.to_string()))?
            // Nor its CPU arena, which keeps what the largest run needed: peak verifying and
            // guiding 165-167 MiB with it, 136-151 without, no slower (`proofshot bench`, issue 23)
            .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(false).build()])
            .map_err(|e| err(e.to_string()))?
            // With more than one thread a run, each session's idle workers spin, and a verifier
            // has seven sessions: on two cores, verify took 41.4 ms with two threads spinning, 9.4
            // without, 14.6 with one (`proofshot bench --intra-op-threads 2`). A phone's cores
            // and battery are not for spinning either.
            .with_config_entry("session.intra_op.allow_spinning", "0")
            .map_err(|e| err(e.to_string()))?
            .commit_from_memory(bytes)
            .map_err(|e| err(e.to_string()))
    }
}

/// What a session does with int8 weights: see [`Runtime::session`] and [`Runtime::int8_session`].
#[derive(Clone, Copy)]
enum Weights {
    FoldToFloat,
    KeepInt8,
}

/// The library to load, and (when falling back to the system loader) every path looked at, to
/// report if that fails too.
#[cfg(not(target_os = "ios"))]
fn resolve(library: Option<&Path>) -> Result<(PathBuf, Option<Vec<PathBuf>>), RuntimeError> {
    match library {
        Some(p) if p.exists() => Ok((p.to_path_buf(), None)),
        Some(p) => Err(RuntimeError::NotFound { tried: vec![p.to_path_buf()] }),
        None => {
            let candidates = search_path();
            Ok(match candidates.iter().find(|p| p.is_file()) {
                Some(p) => (p.clone(), None),
                // the system loader's own search: the app's native libraries, LD_LIBRARY_PATH
                None => (PathBuf::from(library_file_name()), Some(candidates)),
            })
        }
    }
}

/// On iOS the runtime is linked into the app: nothing to find.
#[cfg(target_os = "ios")]
fn resolve(_library: Option<&Path>) -> Result<(PathBuf, Option<Vec<PathBuf>>), RuntimeError> {
    Ok((PathBuf::from("onnxruntime.xcframework (linked)"), None))
}

/// Starts building the environment on the library at `path`.
#[cfg(not(target_os = "ios"))]
fn init(path: &Path) -> Result<ort::environment::EnvironmentBuilder, String> {
    ort::init_from(path).map_err(|e| e.to_string())
}

/// Starts building the environment on the statically linked runtime (`path` is not used).
#[cfg(target_os = "ios")]
fn init(_path: &Path) -> Result<ort::environment::EnvironmentBuilder, String> {
    Ok(ort::init())
}

/// A model run's float32 output `name`: its shape and data, copied out of the run.
pub(crate) fn f32_output(
    outputs: &ort::session::SessionOutputs<'_>,
    name: &str,
) -> Result<(Vec<i64>, Vec<f32>), String> {
    let value = outputs.get(name).ok_or_else(|| format!("no output named {name}"))?;
    let (shape, data) = value.try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
    Ok((shape.to_vec(), data.to_vec()))
}

/// Sends ONNX Runtime's own log lines to the `log` facade, one level quieter than ORT rates
/// them (its info is chatty).
fn forward_log(level: ort::logging::LogLevel, category: &str, _id: &str, location: &str, message: &str) {
    use ort::logging::LogLevel as L;
    let level = match level {
        L::Verbose | L::Info => log::Level::Trace,
        L::Warning => log::Level::Debug,
        L::Error => log::Level::Warn,
        L::Fatal => log::Level::Error,
    };
    // ONNX Runtime calls this from C: a logger that panics must not unwind into it (that
    // aborts the process), so its record is dropped instead.
    let _ = std::panic::catch_unwind(|| {
        log::log!(target: "onnxruntime", level, "[{category}] {location}: {message}");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_debug_builds_look_in_the_project_cache() {
        let cache = project_cache_dir();
        assert_eq!(cache.is_some(), cfg!(debug_assertions));
        let paths = search_path();
        if let Some(dir) = cache {
            assert_eq!(paths.last(), Some(&dir.join(library_file_name())));
        } else {
            assert!(paths.iter().all(|p| !p.to_string_lossy().contains(".cache")), "{paths:?}");
        }
    }
}
