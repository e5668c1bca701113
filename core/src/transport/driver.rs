//! [`LoopDriver`]: the client's sockets and timers driven by a host's own event loop.
//!
//! By default the transport runs on tokio: its sockets and timers belong to the runtime of the
//! task that polls them. A host with an event loop of its own (Node's libuv is the reason this
//! exists) would then need a second thread to drive tokio, and every answer would cross from
//! that thread to the loop's: two thread switches per call. With a `LoopDriver` in the config
//! ([`crate::ClientConfigBuilder::loop_driver`]) the client's connections register with the
//! driver's poller (epoll on Linux, kqueue on the BSDs and macOS, through mio) and its
//! timeouts and retry sleeps with the driver's timer list. The host watches one descriptor,
//! [`LoopDriver::fd`], and calls [`LoopDriver::turn`] when it is readable and when
//! [`LoopDriver::next_deadline`] passes; `turn` never blocks and wakes every task whose socket
//! or timer is ready, so the whole call runs on the host's thread.
//!
//! Any thread may poll the sockets and timers (state is behind mutexes), and any thread may
//! drop them. A sleep registered off the host's thread is seen when the host next asks for
//! `next_deadline`, so hosts ask after every poll of their tasks.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use mio::{Events, Interest, Token};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Socket readiness events taken per `turn`; more stay in the poller for the next one (its
/// descriptor stays readable, so a level-triggered host loop calls again).
const EVENTS_PER_TURN: usize = 256;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sockets and timers driven by a host event loop; see the module documentation.
pub struct LoopDriver {
    poll: Mutex<(mio::Poll, Events)>,
    registry: mio::Registry,
    sockets: Mutex<HashMap<usize, Arc<Slot>>>,
    next_token: AtomicUsize,
    timers: Mutex<Timers>,
}

impl std::fmt::Debug for LoopDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopDriver")
            .field("sockets", &lock(&self.sockets).len())
            .field("timers", &lock(&self.timers).live.len())
            .finish()
    }
}

impl LoopDriver {
    pub fn new() -> io::Result<Arc<LoopDriver>> {
        let poll = mio::Poll::new()?;
        let registry = poll.registry().try_clone()?;
        Ok(Arc::new(LoopDriver {
            poll: Mutex::new((poll, Events::with_capacity(EVENTS_PER_TURN))),
            registry,
            sockets: Mutex::new(HashMap::new()),
            next_token: AtomicUsize::new(0),
            timers: Mutex::new(Timers::default()),
        }))
    }

    /// The descriptor the host watches for readability: it is readable whenever a socket of
    /// this driver has news. (Timers are the host's to schedule: see [`Self::next_deadline`].)
    #[cfg(unix)]
    pub fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        lock(&self.poll).0.as_raw_fd()
    }

    /// Wakes every task whose socket is ready or whose timer is due, without blocking. Returns
    /// how many were woken.
    pub fn turn(&self) -> usize {
        let mut woken = Vec::new();
        {
            let mut guard = lock(&self.poll);
            let (poll, events) = &mut *guard;
            loop {
                match poll.poll(events, Some(Duration::ZERO)) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => events.clear(),
                    Ok(()) => {}
                }
                break;
            }
            let sockets = lock(&self.sockets);
            for event in events.iter() {
                let Some(slot) = sockets.get(&event.token().0) else {
                    continue;
                };
                let mut s = lock(&slot.state);
                s.tick = s.tick.wrapping_add(1);
                let failed = event.is_error();
                if failed || event.is_readable() || event.is_read_closed() {
                    s.readable = true;
                    woken.extend(s.reader.take());
                }
                if failed || event.is_writable() || event.is_write_closed() {
                    s.writable = true;
                    woken.extend(s.writer.take());
                }
            }
        }
        lock(&self.timers).due(Instant::now(), &mut woken);
        let n = woken.len();
        for waker in woken {
            waker.wake();
        }
        n
    }

    /// Drops the waker of every task waiting on this driver's sockets and timers, for a host
    /// whose loop is going away: nothing will turn the driver again, and a waker may own its
    /// task (which may own a client that owns this driver). The wakers are dropped after the
    /// driver's locks are released, since dropping a task closes its sockets here.
    pub fn forget_waiters(&self) {
        let mut dropped: Vec<Waker> = Vec::new();
        for slot in lock(&self.sockets).values() {
            let mut s = lock(&slot.state);
            dropped.extend(s.reader.take());
            dropped.extend(s.writer.take());
        }
        for waker in lock(&self.timers).live.values_mut() {
            dropped.extend(waker.take());
        }
        drop(dropped);
    }

    /// When the earliest pending timer is due, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        lock(&self.timers).next()
    }

    /// Sockets registered now (connections open or pooled).
    pub fn socket_count(&self) -> usize {
        lock(&self.sockets).len()
    }

    /// A future ready `d` from now, woken by [`Self::turn`].
    pub fn sleep(self: &Arc<Self>, d: Duration) -> Sleep {
        Sleep {
            driver: Arc::clone(self),
            deadline: Instant::now().checked_add(d),
            id: None,
        }
    }

    /// Opens a TCP connection to `addr` (non-blocking; the future completes when the
    /// connection is established or has failed).
    pub(crate) async fn connect(self: &Arc<Self>, addr: SocketAddr) -> io::Result<DrivenTcp> {
        let mut stream = mio::net::TcpStream::connect(addr)?;
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            state: Mutex::new(Readiness {
                readable: true,
                ..Readiness::default()
            }),
        });
        lock(&self.sockets).insert(token, Arc::clone(&slot));
        if let Err(e) = self.registry.register(
            &mut stream,
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            lock(&self.sockets).remove(&token);
            return Err(e);
        }
        let tcp = DrivenTcp {
            driver: Arc::clone(self),
            token,
            slot,
            stream,
        };
        // Connected once writable and the socket has a peer; a spurious wake-up waits again.
        std::future::poll_fn(|cx| {
            tcp.poll_io(cx, Direction::Write, |s| {
                if let Some(e) = s.take_error()? {
                    return Err(e);
                }
                match s.peer_addr() {
                    Ok(_) => Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        Err(io::ErrorKind::WouldBlock.into())
                    }
                    Err(e) => Err(e),
                }
            })
        })
        .await?;
        Ok(tcp)
    }
}

/// One socket's readiness as last reported by the poller, and who waits for it. `tick` counts
/// events, so a task that saw `WouldBlock` knows whether an event came in meanwhile (edge-
/// triggered registration reports each change once).
#[derive(Default)]
struct Readiness {
    tick: u64,
    readable: bool,
    writable: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

struct Slot {
    state: Mutex<Readiness>,
}

#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

fn keep_waker(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// A TCP connection registered with a [`LoopDriver`].
pub(crate) struct DrivenTcp {
    driver: Arc<LoopDriver>,
    token: usize,
    slot: Arc<Slot>,
    stream: mio::net::TcpStream,
}

impl DrivenTcp {
    /// Runs `op` on the socket until it does not say `WouldBlock`; if it does and no event
    /// came in meanwhile, waits for one.
    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        op: impl FnMut(&mio::net::TcpStream) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_then(cx, dir, op, |_| false)
    }

    /// [`Self::poll_io`], where `drained` says from `op`'s success that the socket has nothing
    /// more for now (a read that did not fill its buffer): the readiness is then cleared unless
    /// an event came in meanwhile, which saves the next read a `WouldBlock` round to the
    /// kernel. Edge-triggered registration reports the next arrival as a new event.
    fn poll_io_then<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut op: impl FnMut(&mio::net::TcpStream) -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let tick = {
                let mut s = lock(&self.slot.state);
                let ready = match dir {
                    Direction::Read => s.readable,
                    Direction::Write => s.writable,
                };
                if !ready {
                    match dir {
                        Direction::Read => keep_waker(&mut s.reader, cx),
                        Direction::Write => keep_waker(&mut s.writer, cx),
                    }
                    return Poll::Pending;
                }
                s.tick
            };
            match op(&self.stream) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut s = lock(&self.slot.state);
                    if s.tick == tick {
                        match dir {
                            Direction::Read => {
                                s.readable = false;
                                keep_waker(&mut s.reader, cx);
                            }
                            Direction::Write => {
                                s.writable = false;
                                keep_waker(&mut s.writer, cx);
                            }
                        }
                        return Poll::Pending;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(r) => {
                    if drained(&r) {
                        let mut s = lock(&self.slot.state);
                        if s.tick == tick {
                            match dir {
                                Direction::Read => s.readable = false,
                                Direction::Write => s.writable = false,
                            }
                        }
                    }
                    return Poll::Ready(Ok(r));
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// One non-blocking read attempt, for probing an idle connection.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.stream).read(buf)
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.stream.set_nodelay(on)
    }
}

impl Drop for DrivenTcp {
    fn drop(&mut self) {
        let _ = self.driver.registry.deregister(&mut self.stream);
        lock(&self.driver.sockets).remove(&self.token);
    }
}

impl AsyncRead for DrivenTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let want = buf.remaining();
        match this.poll_io_then(
            cx,
            Direction::Read,
            |mut s| s.read(buf.initialize_unfilled()),
            |&n| n > 0 && n < want,
        ) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for DrivenTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_io(cx, Direction::Write, |mut s| s.write(data))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_io(cx, Direction::Write, |mut s| s.write_vectored(bufs))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.stream.shutdown(std::net::Shutdown::Write))
    }
}

/// Pending timers: a heap of deadlines, and the wakers of those still wanted. A dropped timer
/// leaves its heap entry behind (removed when due, or when dead entries outnumber live ones).
#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    live: HashMap<u64, Option<Waker>>,
    next_id: u64,
}

impl Timers {
    fn due(&mut self, now: Instant, woken: &mut Vec<Waker>) {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                break;
            }
            self.heap.pop();
            if let Some(w) = self.live.get_mut(&id) {
                woken.extend(w.take());
            }
        }
    }

    fn next(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if self.live.contains_key(&id) {
                return Some(at);
            }
            self.heap.pop();
        }
        None
    }

    fn cancel(&mut self, id: u64) {
        self.live.remove(&id);
        if self.heap.len() > 64 && self.heap.len() > 4 * self.live.len() {
            let live = &self.live;
            self.heap.retain(|Reverse((_, id))| live.contains_key(id));
        }
    }
}

/// A timer of a [`LoopDriver`]; see [`LoopDriver::sleep`].
pub struct Sleep {
    driver: Arc<LoopDriver>,
    /// `None`: beyond what `Instant` can hold, i.e. never.
    deadline: Option<Instant>,
    id: Option<u64>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut timers = lock(&this.driver.timers);
        let Some(deadline) = this.deadline else {
            return Poll::Pending;
        };
        if deadline <= Instant::now() {
            if let Some(id) = this.id.take() {
                timers.cancel(id);
            }
            return Poll::Ready(());
        }
        match this.id {
            Some(id) => {
                if let Some(slot) = timers.live.get_mut(&id) {
                    keep_waker(slot, cx);
                }
            }
            None => {
                let id = timers.next_id;
                timers.next_id += 1;
                timers.heap.push(Reverse((deadline, id)));
                timers.live.insert(id, Some(cx.waker().clone()));
                this.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            lock(&self.driver.timers).cancel(id);
        }
    }
}

/// The retry sleeps of a client on a driver.
pub(crate) struct DriverSleeper(pub(crate) Arc<LoopDriver>);

impl crate::config::Sleeper for DriverSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(self.0.sleep(d))
    }
}

/// `fut`, or `None` if `sleep` finishes first.
pub(crate) async fn within<F: Future>(sleep: Sleep, fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut sleep = sleep;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match Pin::new(&mut sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
