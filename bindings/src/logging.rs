//! The logging bridge: the core's `log` records (and ONNX Runtime's, which the core forwards)
//! reach a logger the app installs. Records never carry image content or locations.

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
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    /// One record: its level, where it came from (`proofshot_core::verifier`, `onnxruntime`)
    /// and the message.
    fn log(&self, level: LogLevel, target: String, message: String);
}

static SINK: RwLock<Option<Arc<dyn Logger>>> = RwLock::new(None);

struct Bridge;

impl log::Log for Bridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let sink = SINK.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(sink) = sink {
            let level = match record.level() {
                log::Level::Error => LogLevel::Error,
                log::Level::Warn => LogLevel::Warn,
                log::Level::Info => LogLevel::Info,
                log::Level::Debug => LogLevel::Debug,
                log::Level::Trace => LogLevel::Trace,
            };
            sink.log(level, record.target().to_owned(), record.args().to_string());
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
