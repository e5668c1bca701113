//! The one tokio runtime the blocking C calls run on: built lazily, multi-threaded, 2 workers
//! named `kmskit-rt`.
//!
//! fork(): a child inherits the runtime's memory but none of its threads. Blocking on it there
//! would wait forever for workers that do not exist, so each runtime records the PID that built
//! it and a call from another PID builds a fresh runtime for that process. The parent's runtime
//! is deliberately leaked in the child, never dropped: dropping would try to stop and join
//! threads that do not exist there and to deregister sockets from an epoll instance the child
//! shares with the parent. That is also why this is an `AtomicPtr` and not a `OnceLock` (which
//! cannot be replaced) or a `Mutex` (which another parent thread may have held at the instant
//! of the fork, so the child would block on it forever).

use kmskit_core::{Error, ErrorCode, Result};
use std::sync::atomic::{AtomicPtr, Ordering};
use tokio::runtime::Runtime;

struct Entry {
    pid: u32,
    rt: Runtime,
}

static CURRENT: AtomicPtr<Entry> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of the current process, built on first use (and again in a forked child).
pub(crate) fn get() -> Result<&'static Runtime> {
    let pid = std::process::id();
    loop {
        let seen = CURRENT.load(Ordering::Acquire);
        // SAFETY: entries are published with Release and never freed once published.
        if let Some(entry) = unsafe { seen.as_ref() } {
            if entry.pid == pid {
                return Ok(&entry.rt);
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kmskit-rt")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot start the kmskit runtime: {e}"),
                )
            })?;
        let fresh = Box::into_raw(Box::new(Entry { pid, rt }));
        match CURRENT.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                // `seen` (the parent's entry, if any) is leaked on purpose: module comment.
                keep_forever(seen);
                // SAFETY: `fresh` is now published and never freed.
                return Ok(unsafe { &(*fresh).rt });
            }
            Err(_) => {
                // Another thread of this process won the race; ours never ran a task, so
                // dropping it here is safe. Use the winner.
                // SAFETY: `fresh` was never published.
                drop(unsafe { Box::from_raw(fresh) });
            }
        }
    }
}

/// Runs a future to completion on the runtime (the blocking C calls).
pub(crate) fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::invalid_argument(
            "kmskit's blocking C functions cannot be called from inside a tokio runtime",
        ));
    }
    Ok(get()?.block_on(fut))
}

/// One leaked allocation, kept on a push-only list so it stays reachable (leak checkers report
/// it as "still reachable", not "definitely lost").
struct Grave {
    next: *mut Grave,
    _kept: *mut (),
}

static GRAVEYARD: AtomicPtr<Grave> = AtomicPtr::new(std::ptr::null_mut());

/// Leaks `p` deliberately (a parent's runtime or client in a forked child). Lock-free, because
/// a lock could have been held by a parent thread at the moment of the fork.
pub(crate) fn keep_forever<T>(p: *mut T) {
    if p.is_null() {
        return;
    }
    let grave = Box::into_raw(Box::new(Grave {
        next: std::ptr::null_mut(),
        _kept: p.cast(),
    }));
    let mut head = GRAVEYARD.load(Ordering::Acquire);
    loop {
        // SAFETY: `grave` is ours until published.
        unsafe { (*grave).next = head };
        match GRAVEYARD.compare_exchange_weak(head, grave, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}
