//! The one tokio runtime of this face. UniFFI drives our futures from the foreign executor
//! (Kotlin coroutines, Swift tasks), where no tokio reactor exists; the core's transport needs
//! one. So every call is spawned onto this runtime and the foreign side awaits the join handle.
//! If the foreign side cancels (the coroutine is cancelled, the Swift task dropped), UniFFI drops
//! our future, and the guard aborts the spawned task so the work really stops.
//!
//! The JVM and Swift processes do not fork, so a process-wide `OnceLock` is enough here.

use crate::error::KmsException;
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static Runtime, KmsException> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("kmskit-rt")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            KmsException::from(kmskit::Error::internal(format!(
                "cannot start the tokio runtime: {e}"
            )))
        })
}

/// Aborts the task when the awaiting future is dropped before the task finished.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `fut` on the face's runtime and waits for its result.
pub(crate) async fn run<F, T>(fut: F) -> Result<T, KmsException>
where
    F: Future<Output = Result<T, KmsException>> + Send + 'static,
    T: Send + 'static,
{
    let mut guard = AbortOnDrop(runtime()?.spawn(fut));
    match (&mut guard.0).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(kmskit::Error::internal("the kmskit task panicked").into()),
        Err(_) => Err(kmskit::Error::internal("the kmskit task was cancelled").into()),
    }
}
