//! A value that belongs to one process: after `fork()` the child builds its own instead of
//! using (or dropping) its parent's. Clients and refreshing credentials providers hold sockets
//! registered with the runtime of the process that opened them; a child shares those sockets
//! and that epoll instance with its parent, so it must neither use nor drop them. The parent's
//! value is leaked in the child (see `runtime::keep_forever`). Lock-free because a lock could
//! have been held by another parent thread at the instant of the fork.

use crate::runtime;
use kmskit_core::Result;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicPtr, Ordering};

struct Slot<T> {
    pid: u32,
    value: T,
}

pub(crate) struct PerProcess<T> {
    current: AtomicPtr<Slot<T>>,
    /// Send/Sync follow `T`'s (AtomicPtr alone would claim both for any `T`).
    _owns: PhantomData<T>,
}

impl<T> PerProcess<T> {
    /// Holding `value` for the current process.
    pub(crate) fn with(value: T) -> Self {
        let slot = Box::into_raw(Box::new(Slot {
            pid: std::process::id(),
            value,
        }));
        PerProcess {
            current: AtomicPtr::new(slot),
            _owns: PhantomData,
        }
    }

    /// The value of the current process, made by `make` on first use in this process. Two
    /// threads may both call `make`; one value wins and the other is dropped unused.
    pub(crate) fn get_or_try_init(&self, make: impl FnOnce() -> Result<T>) -> Result<&T> {
        let pid = std::process::id();
        let seen = self.current.load(Ordering::Acquire);
        // SAFETY: published slots live until this PerProcess is dropped.
        if let Some(slot) = unsafe { seen.as_ref() } {
            if slot.pid == pid {
                return Ok(&slot.value);
            }
        }
        let fresh = Box::into_raw(Box::new(Slot {
            pid,
            value: make()?,
        }));
        match self
            .current
            .compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                // The parent's slot, if any, is leaked on purpose (module comment).
                runtime::keep_forever(seen);
                // SAFETY: `fresh` is published and lives until drop.
                Ok(unsafe { &(*fresh).value })
            }
            Err(winner) => {
                // SAFETY: `fresh` was never published.
                drop(unsafe { Box::from_raw(fresh) });
                // SAFETY: the winner was published by this process (a slot is only replaced
                // by a process whose pid differs from its own, and that process is us).
                match unsafe { winner.as_ref() } {
                    Some(slot) if slot.pid == pid => Ok(&slot.value),
                    _ => Err(kmskit_core::Error::internal(
                        "per-process value replaced concurrently",
                    )),
                }
            }
        }
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let p = *self.current.get_mut();
        // SAFETY: the slot was made by Box::into_raw and is owned by this value.
        if let Some(slot) = unsafe { p.as_ref() } {
            if slot.pid == std::process::id() {
                // SAFETY: as above; nothing else refers to it any more.
                drop(unsafe { Box::from_raw(p) });
            } else {
                runtime::keep_forever(p);
            }
        }
    }
}
