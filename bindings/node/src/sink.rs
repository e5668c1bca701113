//! The JavaScript thread's end of the calls: one `Sink` per JavaScript thread (each Node
//! environment has a thread of its own), holding the calls woken and waiting to be polled there,
//! and the one way another thread wakes that thread: a libuv async handle (uv.rs) in Node, an
//! N-API threadsafe function elsewhere.
//!
//! A waker wakes the JavaScript thread only when the queue was empty, so calls woken together
//! are polled (and settled) in one wake-up. The handle (or function) is unref'd while no call is in
//! flight, so it never keeps the event loop alive after the last call, and ref'd from the first
//! call in flight to the last one settled, so a pending call keeps the process waiting for its
//! answer. At environment teardown the sink is closed under a write lock; the I/O thread holds
//! the read lock while it wakes, so it never touches a closed handle or a finalized function.

use crate::dispatch::{self, Call};
use crate::uv::UvWakeup;
use napi::bindgen_prelude::JsError;
use napi::{sys, Env};
use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard};

/// Turns a finished call's outcome into a JavaScript value on the JavaScript thread; `Err`
/// rejects the promise with that error.
pub(crate) type Settle = Box<dyn FnOnce(&Env) -> napi::Result<sys::napi_value> + Send>;

/// A call's promise. It lives in the call, which wakers (hence other threads) may hold.
pub(crate) struct Deferred(pub(crate) sys::napi_deferred);

// SAFETY: the pointer is only used on the JavaScript thread that made it (`settle`).
unsafe impl Send for Deferred {}

/// Settles a finished call's promise; on the JavaScript thread of its environment.
pub(crate) fn settle(env: &Env, deferred: Deferred, settle: Settle) {
    let raw = env.raw();
    let mut scope = ptr::null_mut();
    // SAFETY: a valid env on its thread; the scope bounds the handles of one answer.
    let opened = unsafe { sys::napi_open_handle_scope(raw, &mut scope) } == sys::Status::napi_ok;
    // SAFETY: the deferred was made on this env and is settled exactly once, here.
    unsafe {
        match settle(env) {
            Ok(value) => sys::napi_resolve_deferred(raw, deferred.0, value),
            Err(e) => sys::napi_reject_deferred(raw, deferred.0, JsError::from(e).into_value(raw)),
        };
        if opened {
            sys::napi_close_handle_scope(raw, scope);
        }
    }
}

enum Wakeup {
    Uv(UvWakeup),
    /// Set once, after the function is made with this sink as its context.
    Tsfn(AtomicPtr<sys::napi_threadsafe_function__>),
}

pub(crate) struct Sink {
    wakeup: OnceLock<Wakeup>,
    closed: RwLock<bool>,
    /// Calls woken and waiting to be polled on the JavaScript thread.
    woken: Mutex<Vec<Arc<Call>>>,
    /// Calls made and not yet settled; only the JavaScript thread changes it.
    in_flight: AtomicUsize,
}

impl Sink {
    fn woken(&self) -> MutexGuard<'_, Vec<Arc<Call>>> {
        self.woken.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_closed(&self) -> RwLockReadGuard<'_, bool> {
        self.closed.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Environment teardown: nothing may touch the handle or function any more, and the calls
    /// still queued are dropped (each holds the sink).
    pub(crate) fn close(&self) {
        *self.closed.write().unwrap_or_else(|p| p.into_inner()) = true;
        let queued = std::mem::take(&mut *self.woken());
        drop(queued);
    }

    pub(crate) fn uv_wakeup(&self) -> Option<&UvWakeup> {
        match self.wakeup.get() {
            Some(Wakeup::Uv(w)) => Some(w),
            _ => None,
        }
    }

    /// JavaScript thread: a call did not finish in its first poll; it is in flight until a
    /// later poll (in `drain`) finishes it.
    pub(crate) fn started(&self, env: &Env) {
        if self.in_flight.fetch_add(1, Ordering::Relaxed) == 0 {
            self.set_ref(env.raw(), true);
        }
    }

    fn set_ref(&self, env: sys::napi_env, on: bool) {
        match self.wakeup.get() {
            Some(Wakeup::Uv(w)) => w.set_ref(on),
            Some(Wakeup::Tsfn(f)) => {
                let f = f.load(Ordering::Relaxed);
                // SAFETY: our own function, on its JavaScript thread.
                unsafe {
                    if on {
                        sys::napi_ref_threadsafe_function(env, f);
                    } else {
                        sys::napi_unref_threadsafe_function(env, f);
                    }
                }
            }
            None => {}
        }
    }

    /// The driver this environment's calls run on (uv.rs), if any.
    pub(crate) fn driver(&self) -> Option<Arc<kmskit::LoopDriver>> {
        self.uv_wakeup().and_then(|w| w.driver()).cloned()
    }

    /// JavaScript thread, after polling calls: the driver's timer handle follows its next
    /// deadline.
    pub(crate) fn rearm(&self) {
        if let Some(w) = self.uv_wakeup() {
            w.rearm();
        }
    }

    /// JavaScript thread, inside a callback scope, when the driver's descriptor or timer is
    /// ready: turns the driver and polls every call it woke (and every call those polls woke),
    /// with no wake-up of this thread through the async handle: it is awake already.
    pub(crate) fn turn(&self, env: sys::napi_env) {
        let Some(driver) = self.driver() else { return };
        TURNING.with(|t| t.set(true));
        driver.turn();
        while !self.woken().is_empty() {
            self.drain_batch(env);
        }
        TURNING.with(|t| t.set(false));
        self.rearm();
    }

    /// Any thread: a call was woken; queue it and wake the JavaScript thread (unless this is
    /// that thread turning the driver, which polls the queue before it returns).
    pub(crate) fn push(&self, call: Arc<Call>) {
        let closed = self.is_closed();
        if *closed {
            // The environment is gone; nobody is left to poll the call.
            return;
        }
        let wake = {
            let mut queue = self.woken();
            queue.push(call);
            queue.len() == 1
        };
        if !wake || TURNING.with(Cell::get) {
            return;
        }
        match self.wakeup.get() {
            Some(Wakeup::Uv(w)) => w.send(),
            Some(Wakeup::Tsfn(f)) => {
                // SAFETY: the sink is open (read lock held), so the function is alive; an
                // unbounded queue and a non-blocking call cannot wait.
                unsafe {
                    sys::napi_call_threadsafe_function(
                        f.load(Ordering::Relaxed),
                        ptr::null_mut(),
                        sys::ThreadsafeFunctionCallMode::nonblocking,
                    );
                }
            }
            None => {}
        }
    }

    /// JavaScript thread, inside a callback scope: polls every queued call, settling those that
    /// finish.
    pub(crate) fn drain(&self, env: sys::napi_env) {
        self.drain_batch(env);
        self.rearm();
    }

    fn drain_batch(&self, env: sys::napi_env) {
        let batch = std::mem::take(&mut *self.woken());
        let js = Env::from_raw(env);
        let finished = batch
            .iter()
            .filter(|call| dispatch::poll(&js, call))
            .count();
        if finished > 0 && self.in_flight.fetch_sub(finished, Ordering::Relaxed) == finished {
            self.set_ref(env, false);
        }
    }
}

thread_local! {
    static SINK: RefCell<Option<Arc<Sink>>> = const { RefCell::new(None) };
    /// This JavaScript thread is in `Sink::turn`.
    static TURNING: Cell<bool> = const { Cell::new(false) };
}

/// The sink of the calling JavaScript thread, made on first use (and again should the
/// environment that made the previous one have gone away).
pub(crate) fn sink(env: &Env) -> napi::Result<Arc<Sink>> {
    SINK.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(s) = slot.as_ref() {
            if !*s.is_closed() {
                return Ok(Arc::clone(s));
            }
        }
        let fresh = Arc::new(Sink {
            wakeup: OnceLock::new(),
            closed: RwLock::new(false),
            woken: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
        });
        let wakeup = match UvWakeup::new(env.raw(), &fresh)? {
            Some(w) => Wakeup::Uv(w),
            None => tsfn_wakeup(env.raw(), &fresh)?,
        };
        let _ = fresh.wakeup.set(wakeup);
        *slot = Some(Arc::clone(&fresh));
        Ok(fresh)
    })
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::from(status),
            format!("kmskit: {what} failed"),
        ))
    }
}

/// The name async_hooks see for the wake-ups.
pub(crate) fn name(env: sys::napi_env) -> napi::Result<sys::napi_value> {
    let label = "kmskit";
    let mut value = ptr::null_mut();
    // SAFETY: a valid env on its thread; `label` outlives the call.
    check(
        unsafe {
            sys::napi_create_string_utf8(
                env,
                label.as_ptr().cast::<c_char>(),
                label.len() as isize,
                &mut value,
            )
        },
        "napi_create_string_utf8",
    )?;
    Ok(value)
}

fn tsfn_wakeup(env: sys::napi_env, sink: &Arc<Sink>) -> napi::Result<Wakeup> {
    // The function's context owns one reference to the sink, given back in `tsfn_finalize`.
    let context = Arc::into_raw(Arc::clone(sink)) as *mut c_void;
    let mut tsfn = ptr::null_mut();
    // SAFETY: valid env and name; no JavaScript function (the native callback settles
    // promises); unbounded queue; the callbacks match the N-API signatures.
    let status = unsafe {
        sys::napi_create_threadsafe_function(
            env,
            ptr::null_mut(),
            ptr::null_mut(),
            name(env)?,
            0,
            1,
            context,
            Some(tsfn_finalize),
            context,
            Some(tsfn_call),
            &mut tsfn,
        )
    };
    if let Err(e) = check(status, "napi_create_threadsafe_function") {
        // SAFETY: the reference made above; no function owns it.
        drop(unsafe { Arc::from_raw(context as *const Sink) });
        return Err(e);
    }
    // Idle until the first call. SAFETY: the function was just made on this env's thread.
    unsafe { sys::napi_unref_threadsafe_function(env, tsfn) };
    Ok(Wakeup::Tsfn(AtomicPtr::new(tsfn)))
}

unsafe extern "C" fn tsfn_finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    if data.is_null() {
        return;
    }
    // SAFETY: the context's reference made in `tsfn_wakeup`, released once, here.
    let sink = unsafe { Arc::from_raw(data as *const Sink) };
    sink.close();
}

unsafe extern "C" fn tsfn_call(
    env: sys::napi_env,
    _js_callback: sys::napi_value,
    context: *mut c_void,
    _data: *mut c_void,
) {
    if env.is_null() || context.is_null() {
        // The function is being torn down; the promises can no longer be settled.
        return;
    }
    // SAFETY: the context is the sink, alive until `tsfn_finalize`, which cannot run meanwhile.
    let sink = unsafe { &*(context as *const Sink) };
    sink.drain(env);
}
