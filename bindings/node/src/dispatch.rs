//! How a call travels, at the least CPU per call (see docs/node.md, "How calls run").
//!
//! Every call's future is polled on the JavaScript thread that made it. The first poll happens
//! right away in `run`: it signs the request and writes it to a pooled connection, and the call
//! then waits for the answer. No thread is woken to start a call. A call finished by its first
//! poll (an argument error, or an answer that was already there) is settled at once.
//!
//! In Node the client's connections and timers belong to the core's `LoopDriver` of the
//! JavaScript thread (uv.rs), which that thread's libuv loop watches: when the answer arrives,
//! the loop wakes, turns the driver and polls the call right there (`Sink::turn`), which reads
//! and parses the answer and settles the promise. No other thread takes part.
//!
//! The polls also run inside the context of one current-thread tokio runtime that a dedicated
//! thread, `kmskit-io`, drives (I/O driver, timers, blocking pool). It serves what still runs on
//! tokio: credential providers' own requests (STS, metadata), file reads, and every call where
//! libuv is not Node's (Bun, Deno), whose sockets and timers then register there. When such a
//! socket or timer is ready, the I/O thread wakes the call, which puts it on its JavaScript
//! thread's `Sink` (sink.rs) and wakes that thread once for everything queued. The I/O thread
//! runs no task of ours: it only waits on sockets and timers.
//!
//! Tokio wakes its driver whenever a new timer is due before the one it sleeps for; on the
//! fallback path every call arms a read timeout, so the I/O thread keeps one timer of its own at
//! most `KEEPER_PERIOD` ahead while calls are being made (`Keeper`), and arming a call's timeout
//! never wakes it. The keeper stops after a quiet period, so an idle process has no wake-ups.

use crate::errors::to_js_error;
use crate::sink::{self, Deferred, Settle, Sink};
use napi::bindgen_prelude::PromiseRaw;
use napi::{sys, Env};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::Notify;

/// How far ahead the keeper's timer stays; shorter than any sensible read timeout.
const KEEPER_PERIOD: Duration = Duration::from_secs(1);

/// Runs `fut` and returns a promise settled on this JavaScript thread with `to_js` of its
/// output (or rejected with an Internal error should the core panic).
pub(crate) fn run<'env, T, F, C>(
    env: &'env Env,
    fut: F,
    to_js: C,
) -> napi::Result<PromiseRaw<'env, ()>>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
    C: FnOnce(&Env, T) -> napi::Result<sys::napi_value> + Send + 'static,
{
    let io = io()?;
    let sink = sink::sink(env)?;
    let raw = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: a valid env on its thread.
    let status = unsafe { sys::napi_create_promise(raw, &mut deferred, &mut promise) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(
            napi::Status::from(status),
            "kmskit: napi_create_promise failed",
        ));
    }
    io.keeper.call_made();
    let settle = async move {
        let out = fut.await;
        Box::new(move |env: &Env| to_js(env, out)) as Settle
    };
    let call = Arc::new(Call {
        sink: Arc::clone(&sink),
        queued: AtomicBool::new(false),
        state: Mutex::new(Some(Pending {
            fut: Box::pin(settle),
            deferred: Deferred(deferred),
        })),
    });
    if !poll(env, &call) {
        sink.started(env);
        sink.rearm();
    }
    Ok(PromiseRaw::new(raw, promise))
}

/// A call in flight: its future, polled only on its JavaScript thread, and its promise.
pub(crate) struct Call {
    sink: Arc<Sink>,
    /// On the sink's queue, waiting to be polled.
    queued: AtomicBool,
    /// `None` once settled.
    state: Mutex<Option<Pending>>,
}

struct Pending {
    fut: Pin<Box<dyn Future<Output = Settle> + Send>>,
    deferred: Deferred,
}

impl Wake for Call {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let sink = Arc::clone(&self.sink);
            sink.push(self);
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.sink.push(Arc::clone(self));
        }
    }
}

/// Polls `call` on its JavaScript thread, inside the I/O runtime's context (where the core's
/// connections and timers register), and settles its promise if it finished. True when it
/// finished in this poll. A panic in the core settles the promise with an Internal error
/// instead of unwinding into Node.
pub(crate) fn poll(env: &Env, call: &Arc<Call>) -> bool {
    // Cleared first: a wake from here on queues the call again.
    call.queued.store(false, Ordering::Release);
    let mut state = call.state.lock().unwrap_or_else(|p| p.into_inner());
    let Some(pending) = state.as_mut() else {
        return false;
    };
    let Ok(io) = io() else { return false };
    let waker = Waker::from(Arc::clone(call));
    let outcome = {
        let _runtime = io.handle.enter();
        catch_unwind(AssertUnwindSafe(|| {
            pending.fut.as_mut().poll(&mut Context::from_waker(&waker))
        }))
    };
    let settle = match outcome {
        Ok(Poll::Pending) => return false,
        Ok(Poll::Ready(settle)) => settle,
        Err(_) => Box::new(|env: &Env| -> napi::Result<sys::napi_value> {
            Err(to_js_error(
                env,
                &kmskit::Error::internal("kmskit panicked during the call"),
            ))
        }) as Settle,
    };
    let Some(Pending { deferred, .. }) = state.take() else {
        return false;
    };
    drop(state);
    sink::settle(env, deferred, settle);
    true
}

struct Io {
    handle: Handle,
    keeper: Arc<Keeper>,
}

/// The I/O thread's runtime, started on first use. The thread is not a libuv handle: it never
/// keeps Node alive, and dies with the process.
fn io() -> napi::Result<&'static Io> {
    static IO: OnceLock<Result<Io, String>> = OnceLock::new();
    IO.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("kmskit: cannot build the I/O runtime: {e}"))?;
        let handle = rt.handle().clone();
        let keeper = Arc::new(Keeper {
            busy: AtomicBool::new(false),
            armed: AtomicBool::new(true),
            wake: Notify::new(),
        });
        let kept = Arc::clone(&keeper);
        std::thread::Builder::new()
            .name("kmskit-io".into())
            .spawn(move || {
                background_policy();
                rt.block_on(kept.run())
            })
            .map_err(|e| format!("kmskit: cannot start the I/O thread: {e}"))?;
        Ok(Io { handle, keeper })
    })
    .as_ref()
    .map_err(|e| napi::Error::from_reason(e.clone()))
}

/// Keeps a timer of the I/O runtime at most `KEEPER_PERIOD` away while calls are being made.
struct Keeper {
    /// A call was made since the keeper last looked.
    busy: AtomicBool,
    /// The keeper's timer is running (false once it stopped for lack of calls).
    armed: AtomicBool,
    wake: Notify,
}

impl Keeper {
    async fn run(&self) {
        loop {
            tokio::time::sleep(KEEPER_PERIOD).await;
            if !self.busy.swap(false, Ordering::AcqRel) {
                self.armed.store(false, Ordering::Release);
                // A call made between the swap and here may run without the keeper: it then
                // wakes the driver once for its timeout, which is merely the cost without one.
                self.wake.notified().await;
            }
        }
    }

    /// JavaScript thread, at every call.
    fn call_made(&self) {
        if !self.busy.load(Ordering::Relaxed) {
            self.busy.store(true, Ordering::Release);
        }
        if !self.armed.load(Ordering::Acquire) && !self.armed.swap(true, Ordering::AcqRel) {
            self.wake.notify_one();
        }
    }
}

/// SCHED_BATCH for the I/O thread: woken by a socket or a timer, it does not preempt the thread
/// that is running but waits for it to block or for its time slice to end. Its only job is to
/// wake the JavaScript thread, so when the running thread is that one (or the local peer it is
/// talking to), preempting it just to post a wake-up costs two context switches and gains
/// nothing. The cost: when its CPU is busy with an unrelated task, an answer reaches JavaScript
/// up to one scheduler slice (a few milliseconds) later.
#[cfg(target_os = "linux")]
fn background_policy() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; `param` is valid for the call. Failure leaves the
    // normal policy, which is merely a little slower.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
}

#[cfg(not(target_os = "linux"))]
fn background_policy() {}
