//! The libuv side of a `Sink` (sink.rs): an async handle on the environment's own loop, and
//! the loop's watch on the core's `LoopDriver`, which carries the calls' sockets and timers.
//!
//! The driver: a poll handle watches its descriptor and a timer handle its next deadline; both
//! call `LoopDriver::turn` on the JavaScript thread, and the calls it wakes are polled right
//! there (sink.rs, `turn`). So an answer reaches its promise with no other thread involved:
//! the socket wakes the loop, the loop polls the call. The two handles are unref'd: the async
//! handle's ref (while calls are in flight) is what keeps the loop alive.
//!
//! Node links libuv in and exports its API, and N-API hands out the environment's loop
//! (`napi_get_uv_event_loop`), so an addon may own a `uv_async_t` like Node's own handles do. It
//! is the cheapest way to wake the JavaScript thread from another thread: `uv_async_send` is an
//! atomic flag and one write, and takes no lock, so the woken thread never waits for the waker
//! (a threadsafe function's dispatch does: Node holds the function's mutex while it signals).
//!
//! The functions are looked up at run time (`dlsym`), and only in Node itself: Bun and Deno
//! export `uv_*` symbols that are not a real libuv (Bun's abort the process), so there, as
//! wherever the lookup fails, the sink uses a threadsafe function instead.

use crate::sink::Sink;
use kmskit::LoopDriver;
use napi::sys;
use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

type AsyncCb = unsafe extern "C" fn(*mut c_void);
type CloseCb = unsafe extern "C" fn(*mut c_void);
type PollCb = unsafe extern "C" fn(*mut c_void, c_int, c_int);
type TimerCb = unsafe extern "C" fn(*mut c_void);

/// The libuv functions used, with their C signatures (libuv 1.x, whose ABI is stable).
struct Uv {
    handle_size: unsafe extern "C" fn(c_int) -> usize,
    async_init: unsafe extern "C" fn(*mut c_void, *mut c_void, AsyncCb) -> c_int,
    async_send: unsafe extern "C" fn(*mut c_void) -> c_int,
    close: unsafe extern "C" fn(*mut c_void, Option<CloseCb>),
    r#ref: unsafe extern "C" fn(*mut c_void),
    unref: unsafe extern "C" fn(*mut c_void),
    poll_init: unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
    poll_start: unsafe extern "C" fn(*mut c_void, c_int, PollCb) -> c_int,
    timer_init: unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int,
    timer_start: unsafe extern "C" fn(*mut c_void, TimerCb, u64, u64) -> c_int,
}

/// `UV_ASYNC`, `UV_POLL` and `UV_TIMER` of libuv's `uv_handle_type`; `UV_READABLE` of
/// `uv_poll_event`.
const UV_ASYNC: c_int = 1;
const UV_POLL: c_int = 8;
const UV_TIMER: c_int = 13;
const UV_READABLE: c_int = 1;

/// Memory for a `uv_async_t` (128 bytes on 64-bit Linux; libuv's own size is checked first).
#[repr(C, align(16))]
struct AsyncHandle([u64; 64]);

impl Uv {
    fn get() -> Option<&'static Uv> {
        static UV: OnceLock<Option<Uv>> = OnceLock::new();
        UV.get_or_init(Uv::load).as_ref()
    }

    #[cfg(unix)]
    fn load() -> Option<Uv> {
        fn sym(name: &[u8]) -> Option<*mut c_void> {
            // SAFETY: `name` is NUL-terminated; RTLD_DEFAULT searches the process's global scope.
            let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr().cast::<c_char>()) };
            (!p.is_null()).then_some(p)
        }
        // SAFETY: each symbol is libuv's function of that name, with the field's C signature.
        unsafe {
            Some(Uv {
                handle_size: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(c_int) -> usize>(
                    sym(b"uv_handle_size\0")?,
                ),
                async_init: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, *mut c_void, AsyncCb) -> c_int,
                >(sym(b"uv_async_init\0")?),
                async_send: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void) -> c_int,
                >(sym(b"uv_async_send\0")?),
                close: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, Option<CloseCb>),
                >(sym(b"uv_close\0")?),
                r#ref: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*mut c_void)>(sym(
                    b"uv_ref\0",
                )?),
                unref: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*mut c_void)>(sym(
                    b"uv_unref\0",
                )?),
                poll_init: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
                >(sym(b"uv_poll_init\0")?),
                poll_start: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, c_int, PollCb) -> c_int,
                >(sym(b"uv_poll_start\0")?),
                timer_init: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int,
                >(sym(b"uv_timer_init\0")?),
                timer_start: std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn(*mut c_void, TimerCb, u64, u64) -> c_int,
                >(sym(b"uv_timer_start\0")?),
            })
        }
    }

    #[cfg(not(unix))]
    fn load() -> Option<Uv> {
        None
    }
}

/// A sink's async handle and what its callback needs to enter JavaScript.
pub(crate) struct UvWakeup {
    uv: &'static Uv,
    handle: *mut c_void,
    env: sys::napi_env,
    /// The async resource of the callbacks (async_hooks see them as `kmskit`).
    resource: sys::napi_ref,
    context: sys::napi_async_context,
    /// The loop's watch on the calls' driver; `None` where it could not be set up (the calls
    /// then run on the I/O thread's tokio runtime, dispatch.rs).
    driven: Option<Driven>,
}

/// A `LoopDriver` watched by this loop.
struct Driven {
    driver: Arc<LoopDriver>,
    poll: *mut c_void,
    timer: *mut c_void,
    /// The deadline the timer handle is set for (it may be later than the driver's next one
    /// only until `rearm`).
    armed: Mutex<Option<Instant>>,
}

// SAFETY: off the JavaScript thread only `send` is used, and only while the sink is open (the
// handle is then alive; `uv_async_send` is thread-safe). The rest runs on the env's thread.
unsafe impl Send for UvWakeup {}
// SAFETY: as above.
unsafe impl Sync for UvWakeup {}

impl UvWakeup {
    /// The handle for `sink` on `env`'s loop, unref'd; `Ok(None)` where libuv is not to be used.
    pub(crate) fn new(env: sys::napi_env, sink: &Arc<Sink>) -> napi::Result<Option<UvWakeup>> {
        let Some(uv) = Uv::get() else { return Ok(None) };
        // SAFETY: libuv's own size query.
        if !is_node(env) || unsafe { (uv.handle_size)(UV_ASYNC) } > size_of::<AsyncHandle>() {
            return Ok(None);
        }
        let mut uv_loop = ptr::null_mut();
        let mut resource = ptr::null_mut();
        let mut resource_ref = ptr::null_mut();
        let mut context = ptr::null_mut();
        // SAFETY: a valid env on its thread; the reference keeps the resource object alive.
        unsafe {
            check(
                sys::napi_get_uv_event_loop(env, &mut uv_loop),
                "napi_get_uv_event_loop",
            )?;
            check(
                sys::napi_create_object(env, &mut resource),
                "napi_create_object",
            )?;
            check(
                sys::napi_create_reference(env, resource, 1, &mut resource_ref),
                "napi_create_reference",
            )?;
            let name = crate::sink::name(env)?;
            check(
                sys::napi_async_init(env, resource, name, &mut context),
                "napi_async_init",
            )?;
        }
        let handle = Box::into_raw(Box::new(AsyncHandle([0; 64]))).cast::<c_void>();
        // SAFETY: `handle` is big enough and aligned for a uv_async_t; the loop is this env's.
        let status = unsafe { (uv.async_init)(uv_loop.cast(), handle, on_async) };
        if status != 0 {
            // SAFETY: never initialised, so libuv does not know it.
            drop(unsafe { Box::from_raw(handle.cast::<AsyncHandle>()) });
            return Err(napi::Error::from_reason(format!(
                "kmskit: uv_async_init failed ({status})"
            )));
        }
        // The handle's first field (`data`) holds one reference to the sink until `on_closed`.
        // SAFETY: `data` is the first field of every libuv handle.
        unsafe { *handle.cast::<*const Sink>() = Arc::into_raw(Arc::clone(sink)) };
        // Idle until the first call. SAFETY: our handle, on its loop's thread.
        unsafe { (uv.unref)(handle) };
        // SAFETY: as for the async handle: this env's loop, on its thread.
        let driven = unsafe { Driven::new(uv, uv_loop.cast(), sink) };
        // SAFETY: a valid env; the hook runs once, at teardown, with the handle.
        check(
            unsafe { sys::napi_add_env_cleanup_hook(env, Some(teardown), handle) },
            "napi_add_env_cleanup_hook",
        )?;
        Ok(Some(UvWakeup {
            uv,
            handle,
            env,
            resource: resource_ref,
            context,
            driven,
        }))
    }

    /// The driver the calls of this environment run on, if any.
    pub(crate) fn driver(&self) -> Option<&Arc<LoopDriver>> {
        self.driven.as_ref().map(|d| &d.driver)
    }

    /// JavaScript thread, after any poll of the calls: sets the timer handle for the driver's
    /// next deadline when that is earlier than the one it is set for. A later deadline leaves
    /// it: when it fires early, `turn` finds nothing due and this sets it again.
    pub(crate) fn rearm(&self) {
        let Some(d) = &self.driven else { return };
        let Some(next) = d.driver.next_deadline() else {
            return;
        };
        let mut armed = d.armed.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(*armed, Some(at) if at <= next) {
            return;
        }
        // Rounded up: libuv counts whole milliseconds.
        let ms = next
            .saturating_duration_since(Instant::now())
            .as_nanos()
            .div_ceil(1_000_000);
        let ms = u64::try_from(ms).unwrap_or(u64::MAX);
        // SAFETY: our timer handle, on its loop's thread, open until teardown.
        if unsafe { (self.uv.timer_start)(d.timer, on_timer, ms, 0) } == 0 {
            *armed = Some(next);
        }
    }

    /// Any thread, while the sink is open.
    pub(crate) fn send(&self) {
        // SAFETY: the handle is alive while the sink is open (the caller holds its read lock).
        unsafe { (self.uv.async_send)(self.handle) };
    }

    /// JavaScript thread: whether the handle keeps the loop alive.
    pub(crate) fn set_ref(&self, on: bool) {
        // SAFETY: our handle, on its loop's thread.
        unsafe {
            if on {
                (self.uv.r#ref)(self.handle)
            } else {
                (self.uv.unref)(self.handle)
            }
        }
    }
}

impl Driven {
    /// A driver with a poll handle on its descriptor and a timer handle, both unref'd, on
    /// `uv_loop`; `None` if any part fails (each handle made is closed again).
    ///
    /// # Safety
    /// `uv_loop` is the loop of the calling thread's environment.
    unsafe fn new(uv: &'static Uv, uv_loop: *mut c_void, sink: &Arc<Sink>) -> Option<Driven> {
        #[cfg(unix)]
        {
            // SAFETY: libuv's own size queries.
            let fits = unsafe {
                (uv.handle_size)(UV_POLL) <= size_of::<AsyncHandle>()
                    && (uv.handle_size)(UV_TIMER) <= size_of::<AsyncHandle>()
            };
            if !fits {
                return None;
            }
            let driver = LoopDriver::new().ok()?;
            let poll = Box::into_raw(Box::new(AsyncHandle([0; 64]))).cast::<c_void>();
            // SAFETY: memory big enough for a uv_poll_t; the descriptor is the driver's, which
            // lives as long as this handle (`Driven` holds both).
            if unsafe { (uv.poll_init)(uv_loop, poll, driver.fd()) } != 0 {
                // SAFETY: never initialised, so libuv does not know it.
                drop(unsafe { Box::from_raw(poll.cast::<AsyncHandle>()) });
                return None;
            }
            // SAFETY: an initialised handle of ours, on its loop's thread.
            unsafe { adopt(uv, poll, sink) };
            let timer = Box::into_raw(Box::new(AsyncHandle([0; 64]))).cast::<c_void>();
            // SAFETY: memory big enough for a uv_timer_t.
            if unsafe { (uv.timer_init)(uv_loop, timer) } != 0 {
                // SAFETY: never initialised; the poll handle is, and is closed the usual way.
                unsafe {
                    drop(Box::from_raw(timer.cast::<AsyncHandle>()));
                    (uv.close)(poll, Some(on_closed));
                }
                return None;
            }
            // SAFETY: as above.
            unsafe { adopt(uv, timer, sink) };
            // SAFETY: our poll handle, on its loop's thread.
            if unsafe { (uv.poll_start)(poll, UV_READABLE, on_poll) } != 0 {
                // SAFETY: both initialised, closed once here.
                unsafe {
                    (uv.close)(poll, Some(on_closed));
                    (uv.close)(timer, Some(on_closed));
                }
                return None;
            }
            Some(Driven {
                driver,
                poll,
                timer,
                armed: Mutex::new(None),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = (uv, uv_loop, sink);
            None
        }
    }
}

/// Gives an initialised handle its reference to the sink (in `data`, released in `on_closed`)
/// and unrefs it.
///
/// # Safety
/// `handle` is an initialised handle of ours, on its loop's thread.
unsafe fn adopt(uv: &Uv, handle: *mut c_void, sink: &Arc<Sink>) {
    // SAFETY: `data` is the first field of every libuv handle.
    unsafe {
        *handle.cast::<*const Sink>() = Arc::into_raw(Arc::clone(sink));
        (uv.unref)(handle);
    }
}

/// Node, not a runtime that only mimics its libuv exports: `process.versions.node` is there and
/// there is no global `Bun` or `Deno`.
fn is_node(env: sys::napi_env) -> bool {
    fn get(env: sys::napi_env, obj: sys::napi_value, name: &[u8]) -> Option<sys::napi_value> {
        let mut out = ptr::null_mut();
        // SAFETY: a valid env on its thread; `name` is NUL-terminated.
        let ok = unsafe {
            sys::napi_get_named_property(env, obj, name.as_ptr().cast::<c_char>(), &mut out)
        } == sys::Status::napi_ok;
        let mut kind = 0;
        // SAFETY: as above.
        let defined = ok
            && unsafe { sys::napi_typeof(env, out, &mut kind) } == sys::Status::napi_ok
            && kind != sys::ValueType::napi_undefined;
        defined.then_some(out)
    }
    let mut global = ptr::null_mut();
    // SAFETY: a valid env on its thread.
    if unsafe { sys::napi_get_global(env, &mut global) } != sys::Status::napi_ok {
        return false;
    }
    get(env, global, b"process\0")
        .and_then(|p| get(env, p, b"versions\0"))
        .and_then(|v| get(env, v, b"node\0"))
        .is_some()
        && get(env, global, b"Bun\0").is_none()
        && get(env, global, b"Deno\0").is_none()
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

/// The sink whose reference `data` holds.
///
/// # Safety
/// `handle` is one of ours and not yet closed.
unsafe fn sink_of<'a>(handle: *mut c_void) -> &'a Sink {
    // SAFETY: per the contract, `data` holds a live reference to the sink.
    unsafe { &**handle.cast::<*const Sink>() }
}

unsafe extern "C" fn on_async(handle: *mut c_void) {
    // SAFETY: libuv calls no callback of a closed handle.
    let sink = unsafe { sink_of(handle) };
    // SAFETY: a libuv callback on the env's thread.
    unsafe { enter(sink, |env| sink.drain(env)) };
}

unsafe extern "C" fn on_poll(handle: *mut c_void, _status: c_int, _events: c_int) {
    // SAFETY: libuv calls no callback of a closed handle.
    let sink = unsafe { sink_of(handle) };
    // SAFETY: a libuv callback on the env's thread.
    unsafe { enter(sink, |env| sink.turn(env)) };
}

unsafe extern "C" fn on_timer(handle: *mut c_void) {
    // SAFETY: libuv calls no callback of a closed handle.
    let sink = unsafe { sink_of(handle) };
    if let Some(d) = sink.uv_wakeup().and_then(|w| w.driven.as_ref()) {
        *d.armed.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
    // SAFETY: a libuv callback on the env's thread.
    unsafe { enter(sink, |env| sink.turn(env)) };
}

/// Runs `f` from a libuv callback, which runs outside JavaScript: in a handle scope and a
/// callback scope, so promise reactions and process.nextTick callbacks run when the scope
/// closes, as after any callback.
///
/// # Safety
/// On the JavaScript thread of the sink's environment, from a libuv callback.
unsafe fn enter(sink: &Sink, f: impl FnOnce(sys::napi_env)) {
    let Some(w) = sink.uv_wakeup() else { return };
    let env = w.env;
    // SAFETY: this env's JavaScript thread; every scope opened is closed.
    unsafe {
        let mut handles = ptr::null_mut();
        if sys::napi_open_handle_scope(env, &mut handles) != sys::Status::napi_ok {
            return;
        }
        let mut object = ptr::null_mut();
        let mut scope = ptr::null_mut();
        let scoped = sys::napi_get_reference_value(env, w.resource, &mut object)
            == sys::Status::napi_ok
            && sys::napi_open_callback_scope(env, object, w.context, &mut scope)
                == sys::Status::napi_ok;
        f(env);
        if scoped {
            sys::napi_close_callback_scope(env, scope);
        }
        sys::napi_close_handle_scope(env, handles);
    }
}

/// Environment teardown: close the sink, then the handles (a worker's loop cannot close with
/// an open handle). Each handle's memory and its reference to the sink go in `on_closed`.
unsafe extern "C" fn teardown(handle: *mut c_void) {
    // SAFETY: not yet closed: this hook runs once, before `on_closed`.
    let sink = unsafe { sink_of(handle) };
    sink.close();
    if let Some(d) = sink.uv_wakeup().and_then(|w| w.driven.as_ref()) {
        // Calls still in flight wait on the driver, which nothing will turn again; their
        // wakers own them (and their clients, which own the driver): let them go.
        d.driver.forget_waiters();
    }
    let Some(uv) = Uv::get() else { return };
    if let Some(d) = sink.uv_wakeup().and_then(|w| w.driven.as_ref()) {
        // SAFETY: our handles, on their loop's thread, closed once (the sink they point to
        // lives until the last `on_closed`).
        unsafe {
            (uv.close)(d.poll, Some(on_closed));
            (uv.close)(d.timer, Some(on_closed));
        }
    }
    // SAFETY: our handle, on its loop's thread, closed once.
    unsafe { (uv.close)(handle, Some(on_closed)) };
}

unsafe extern "C" fn on_closed(handle: *mut c_void) {
    // SAFETY: the reference stored in `data` by `new`, released once; then the allocation made
    // there, which libuv is done with.
    unsafe {
        drop(Arc::from_raw(*handle.cast::<*const Sink>()));
        drop(Box::from_raw(handle.cast::<AsyncHandle>()));
    }
}
