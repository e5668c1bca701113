//! The one tokio runtime of the Python face, and what keeps it usable across `os.fork()`.
//!
//! A tokio runtime's worker threads do not survive `fork()`: in the child the runtime's memory is
//! there but nothing drives it, so a call would wait forever. Every entry point therefore asks
//! [`runtime`], which compares the process id recorded with the runtime against the current one
//! and, in a forked child, builds a fresh runtime. The parent's runtime is leaked on purpose:
//! dropping it in the child would try to join threads that do not exist there, and would
//! deregister the parent's sockets from an epoll instance the two processes share.
//!
//! The slot is an `AtomicPtr` rather than a `OnceLock` because a `OnceLock` cannot be reset in
//! the child, and rather than a `Mutex` because a lock held by another thread at the moment of
//! `fork()` would stay locked forever in the child.
//!
//! Async calls go through pyo3-async-runtimes' `future_into_py`, with [`KmsRuntime`] as its
//! runtime: the same fork-aware runtime instead of pyo3-async-runtimes' own tokio runtime,
//! which lives in a process-wide `OnceLock` that no child could ever rebuild.

use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime as AsyncRuntime};
use pyo3_async_runtimes::TaskLocals;
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicPtr, Ordering};
use tokio::runtime::{Builder, Runtime};

struct Slot {
    pid: u32,
    runtime: Runtime,
}

static SLOT: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of this process, built on first use (and again on first use after a fork).
pub(crate) fn runtime() -> Result<&'static Runtime, kmskit::Error> {
    let pid = std::process::id();
    let current = SLOT.load(Ordering::Acquire);
    // SAFETY: every pointer stored in SLOT comes from Box::leak and is never freed.
    if let Some(slot) = unsafe { current.as_ref() } {
        if slot.pid == pid {
            return Ok(&slot.runtime);
        }
    }
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kmskit-rt")
        .enable_all()
        .build()
        .map_err(|e| kmskit::Error::internal(format!("cannot start the tokio runtime: {e}")))?;
    let fresh: *mut Slot = Box::leak(Box::new(Slot { pid, runtime }));
    match SLOT.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // The previous slot (the parent's, after a fork) is deliberately leaked.
        // SAFETY: `fresh` was leaked above and is now the published slot.
        Ok(_) => Ok(unsafe { &(*fresh).runtime }),
        Err(winner) => {
            // Another thread published a runtime first. Ours was never used and belongs to this
            // process, so it may be dropped; use the winner if it is ours too.
            // SAFETY: `fresh` was never published; we own it exclusively.
            let ours = unsafe { Box::from_raw(fresh) };
            drop(ours);
            // SAFETY: pointers in SLOT are leaked boxes and never freed.
            match unsafe { winner.as_ref() } {
                Some(slot) if slot.pid == pid => Ok(&slot.runtime),
                _ => Err(kmskit::Error::internal(
                    "the tokio runtime changed while it was being started",
                )),
            }
        }
    }
}

/// The process id the caller's objects were made in, to detect that they crossed a fork.
pub(crate) fn current_pid() -> u32 {
    std::process::id()
}

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

/// pyo3-async-runtimes' view of [`runtime`].
pub(crate) struct KmsRuntime;

pub(crate) struct KmsJoinError(tokio::task::JoinError);

impl JoinError for KmsJoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

pub(crate) type KmsJoinHandle = Pin<Box<dyn Future<Output = Result<(), KmsJoinError>> + Send>>;

/// Inside a task the current runtime is ours; from a Python thread every caller has already
/// checked `runtime()` (see `AsyncClient`), so the fallback only matters if that check raced
/// with a runtime start, and then the published runtime is the right one.
fn handle() -> tokio::runtime::Handle {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => h,
        Err(_) => match runtime() {
            Ok(rt) => rt.handle().clone(),
            // Unreachable in practice (the caller built the runtime a moment ago); a runtime
            // that cannot start leaves nothing to spawn on, and tokio's own "no reactor"
            // panic is the truthful report — pyo3 turns it into a Python exception.
            Err(_) => tokio::runtime::Handle::current(),
        },
    }
}

impl AsyncRuntime for KmsRuntime {
    type JoinError = KmsJoinError;
    type JoinHandle = KmsJoinHandle;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = handle().spawn(fut);
        Box::pin(async move { task.await.map_err(KmsJoinError) })
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let task = handle().spawn_blocking(f);
        Box::pin(async move { task.await.map_err(KmsJoinError) })
    }
}

impl ContextExt for KmsRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        // A fresh cell is empty, so this cannot fail.
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}
