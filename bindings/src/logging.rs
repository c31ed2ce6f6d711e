//! The logging bridge: the core's `log` records (and ONNX Runtime's, which the core forwards)
//! reach a logger the app installs. Records never carry image content or locations.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// Severity of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// A bug or a failure the SDK could not handle.
    Error,
    /// Recoverable trouble.
    Warn,
    /// Milestones.
    Info,
    /// The success path, step by step.
    Debug,
    /// Everything, including ONNX Runtime's own messages.
    Trace,
}

/// Receives the SDK's log records (Logcat, `os_log`, Python's `logging`, ...).
///
/// A logger that throws loses that record and nothing else: the call that logged goes on,
/// and the SDK reports the first failure once on stderr. Records the logger causes while it
/// runs (by calling the SDK) are dropped rather than sent back to it.
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    /// One record: its level, where it came from (`proofshot_core::verifier`, `onnxruntime`)
    /// and the message.
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), LoggerError>;
}

/// What an app's [`Logger`] throws; any exception it throws is taken as this.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LoggerError {
    /// The logger failed.
    #[error("{reason}")]
    Failed {
        /// Why.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for LoggerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: format!("logger threw: {}", e.reason) }
    }
}

static SINK: RwLock<Option<Arc<dyn Logger>>> = RwLock::new(None);
/// Whether a logger failure was reported on stderr already.
static REPORTED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set while this thread is inside the app's logger.
    static IN_LOGGER: Cell<bool> = const { Cell::new(false) };
}

struct Bridge;

impl log::Log for Bridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let Some(sink) = SINK.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone() else { return };
        if IN_LOGGER.with(|inside| inside.replace(true)) {
            return; // a record made by the logger itself, or by the SDK code it called
        }
        let level = match record.level() {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        };
        let (target, message) = (record.target().to_owned(), record.args().to_string());
        let outcome = catch_unwind(AssertUnwindSafe(|| sink.log(level, target, message)));
        IN_LOGGER.with(|inside| inside.set(false));
        let failure = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "logger panicked".to_owned(),
        };
        if !REPORTED.swap(true, Ordering::Relaxed) {
            eprintln!("proofshot: the app's logger failed ({failure}); records it fails on are dropped");
        }
    }

    fn flush(&self) {}
}

static BRIDGE: Bridge = Bridge;

/// Sends the SDK's log records at `level` and above to `logger`, replacing any logger set
/// before. If the host process already installed another Rust logger, records go there.
#[uniffi::export]
pub fn set_logger(logger: Arc<dyn Logger>, level: LogLevel) {
    *SINK.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(logger);
    let _ = log::set_logger(&BRIDGE);
    log::set_max_level(match level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
        LogLevel::Trace => log::LevelFilter::Trace,
    });
}
