//! Bytes waiting in the kernel, per connection: the lecture's two phases of
//! `recv` made visible. Phase 1, the data is on its way and then sits in
//! the kernel's receive queue (`SIOCINQ`); phase 2, `recv` copies it to the
//! application (a `recv` event). On the way back, the reply bytes the
//! kernel still holds because the client's kernel has not taken them
//! (`SIOCOUTQ`: the client is not reading, its window is shut).
//!
//! Every model registers each client socket it accepted in a [`Registry`]
//! and keeps the [`Watch`] it gets with the socket; dropping the watch
//! unregisters it. The sampler thread reads the queues of every registered
//! socket a few times a second and whenever a server thread parks, and
//! reports only what changed ([`Sampler`]), so that ten thousand idle
//! connections cost no event at all. The models pay for it at accept and
//! close only (a mutex and a map insert or remove), never in a spin.
//!
//! The registry keeps raw descriptors, not duplicates: a duplicate per
//! client would halve the clients a descriptor limit allows and would keep
//! a socket open (its FIN unsent) after the model closed it, until the
//! sampler let go. A raw descriptor is safe because the sampler reads it
//! only under the registry's lock, and a model unregisters before it
//! closes: a [`Watch`] is kept *before* its socket in the same struct or
//! tuple (fields drop in order), so the descriptor can never be closed,
//! and reused by another socket, while it is registered.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::event::{ConnId, Event, EventKind};
use crate::probe::EventTx;

/// One connection's queues: `(conn, in, out)`, as the event carries them.
pub type Queues = (ConnId, u32, u32);

/// Sockets read per hold of the registry's lock: a model that accepts or
/// closes while the sampler reads waits for this many readings (two
/// ioctls each, about half a microsecond a socket: some 15 µs), not for a
/// whole pass.
const PER_LOCK: usize = 32;

/// How many times at most the sampler yields between two holds of the
/// lock for the models that wait for it (a model holds it for a map insert
/// or remove: they are soon done).
const YIELDS_TO_MODELS: usize = 1_000;

/// The client sockets of a running model, by connection id.
///
/// The sampler reads a few sockets per hold of the lock and, between two
/// holds, lets any model that waits for the lock go first: a lock is not
/// fair, and the sampler, taking it again at once hold after hold, could
/// otherwise keep a model's accept or close waiting for a whole pass
/// (milliseconds at 10,000 sockets; with passes back to back, up to a
/// quarter of a second was measured), where now it waits for about one
/// hold (`cargo bench --bench kernel_queues`).
#[derive(Debug, Default)]
pub struct Registry {
    /// Each socket, and when it was accepted until its wait in the listen
    /// queue has been measured.
    fds: Mutex<BTreeMap<ConnId, (RawFd, Option<Instant>)>>,
    /// Models waiting for the lock, to register or unregister a socket.
    models_waiting: AtomicUsize,
    /// Waits measured by the last reading: (conn, milliseconds).
    waits: Mutex<Vec<(ConnId, u64)>>,
}

impl Registry {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The lock, for the sampler.
    fn sampler_lock(&self) -> MutexGuard<'_, BTreeMap<ConnId, (RawFd, Option<Instant>)>> {
        self.fds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The lock, for a model: the sampler lets it go first.
    fn model_lock(&self) -> MutexGuard<'_, BTreeMap<ConnId, (RawFd, Option<Instant>)>> {
        self.models_waiting.fetch_add(1, Ordering::Relaxed);
        let fds = self.fds.lock().unwrap_or_else(|e| e.into_inner());
        self.models_waiting.fetch_sub(1, Ordering::Relaxed);
        fds
    }

    /// Between two holds of the lock: the models that wait for it first.
    fn let_models_go_first(&self) {
        for _ in 0..YIELDS_TO_MODELS {
            if self.models_waiting.load(Ordering::Relaxed) == 0 {
                return;
            }
            std::thread::yield_now();
        }
    }

    /// Registers `sock` as `id` until the returned [`Watch`] is dropped.
    /// Keep the watch where it is dropped before `sock` is closed.
    pub fn watch(self: &Arc<Self>, id: ConnId, sock: &impl AsRawFd) -> Watch {
        // The clock is read where the model reads it anyway (its accept
        // event): no system call.
        let accepted = Instant::now();
        self.model_lock()
            .insert(id, (sock.as_raw_fd(), Some(accepted)));
        Watch {
            registry: Arc::clone(self),
            id,
        }
    }

    /// The listen-queue waits the readings so far measured, taken.
    pub fn take_waits(&self) -> Vec<(ConnId, u64)> {
        std::mem::take(&mut *self.waits.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sockets registered now.
    pub fn len(&self) -> usize {
        self.sampler_lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads every registered socket's queues into `out` (cleared first),
    /// in id order, [`PER_LOCK`] sockets per hold of the lock. A socket
    /// the kernel says no for (not a connected socket) is left out. A
    /// socket read for the first time also says how long it waited in the
    /// listen queue (see [`Registry::take_waits`]).
    pub fn read_all(&self, out: &mut Vec<Queues>) {
        out.clear();
        let mut from = 0;
        let mut waits = Vec::new();
        loop {
            let mut fds = self.sampler_lock();
            let mut read = 0;
            for (&id, (fd, accepted)) in fds.range_mut(from..).take(PER_LOCK) {
                read += 1;
                from = id.saturating_add(1);
                if let Some((inq, outq)) = crate::sys::socket_queues(*fd) {
                    out.push((id, inq, outq));
                }
                if let Some(at) = accepted.take()
                    && let Some(waited) = listen_wait(*fd, at)
                {
                    waits.push((id, waited));
                }
            }
            if read < PER_LOCK {
                self.waits
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(waits);
                return;
            }
            drop(fds);
            self.let_models_go_first();
        }
    }
}

/// How long (ms) the connection on `fd`, accepted at `accepted`, waited
/// between the kernel completing it and the server accepting it: the time
/// since it last received data (or, with none, since its handshake), less
/// the time since it was accepted. `None` when data arrived after the
/// accept (the handshake's time is lost then) or the platform cannot say.
/// With data received while it waited, it is a lower bound.
fn listen_wait(fd: RawFd, accepted: Instant) -> Option<u64> {
    let quiet = u64::from(crate::sys::quiet_ms(fd)?);
    quiet.checked_sub(accepted.elapsed().as_millis() as u64)
}

/// A registered socket; dropping it unregisters the socket.
#[derive(Debug)]
pub struct Watch {
    registry: Arc<Registry>,
    id: ConnId,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.registry.model_lock().remove(&self.id);
    }
}

/// What changed between two readings, both in id order: a connection
/// whose figures differ, or a new one whose figures are not both 0 (the
/// dashboard starts every connection at 0 and 0). A connection no longer
/// there is not reported: it was closed, and its events say so.
pub fn changes(last: &[Queues], now: &[Queues], out: &mut Vec<Queues>) {
    out.clear();
    let mut before = last.iter().peekable();
    for &q in now {
        while before.next_if(|b| b.0 < q.0).is_some() {}
        let was = match before.next_if(|b| b.0 == q.0) {
            Some(&(_, inq, outq)) => (inq, outq),
            None => (0, 0),
        };
        if was != (q.1, q.2) {
            out.push(q);
        }
    }
}

/// The sampler thread's half: reads the registry and reports what changed
/// since the last reading that reached the reader.
#[derive(Debug)]
pub struct Sampler {
    registry: Arc<Registry>,
    /// The last reading that was reported, in id order.
    last: Vec<Queues>,
    now: Vec<Queues>,
    changed: Vec<Queues>,
}

impl Sampler {
    pub fn new(registry: Arc<Registry>) -> Self {
        Sampler {
            registry,
            last: Vec::new(),
            now: Vec::new(),
            changed: Vec::new(),
        }
    }

    /// Reads every socket; returns what changed since the last reading
    /// [`Sampler::reported`] was called for.
    pub fn read(&mut self) -> &[Queues] {
        self.registry.read_all(&mut self.now);
        changes(&self.last, &self.now, &mut self.changed);
        &self.changed
    }

    /// The last [`Sampler::read`] reached the reader: the next one is
    /// compared with it.
    pub fn reported(&mut self) {
        std::mem::swap(&mut self.last, &mut self.now);
    }

    /// Reads, and sends a `kernel_queues` event if anything changed. A
    /// channel that refuses it (full) changes nothing: the next reading is
    /// compared with the last one that went out.
    pub fn sample(&mut self, tx: &EventTx, epoch: Instant) {
        let unchanged = self.read().is_empty();
        let waits: Vec<Event> = self
            .registry
            .take_waits()
            .into_iter()
            .map(|(conn, waited_ms)| Event {
                t_us: epoch.elapsed().as_micros() as u64,
                kind: EventKind::AcceptWait { conn, waited_ms },
            })
            .collect();
        if !waits.is_empty() {
            // Dropped with a full channel, as any event: a wait is a detail.
            let _ = tx.try_send(waits);
        }
        if unchanged {
            self.reported();
            return;
        }
        let event = Event {
            t_us: epoch.elapsed().as_micros() as u64,
            kind: EventKind::KernelQueues {
                conns: self.changed.clone(),
            },
        };
        if tx.try_send(vec![event]).is_ok() {
            self.reported();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    fn diff(last: &[Queues], now: &[Queues]) -> Vec<Queues> {
        let mut out = Vec::new();
        changes(last, now, &mut out);
        out
    }

    #[test]
    fn only_changed_connections_are_reported() {
        // The first reading: only what is not 0 and 0.
        let first = [(1, 0, 0), (2, 6, 0), (3, 0, 0), (4, 0, 9)];
        assert_eq!(diff(&[], &first), [(2, 6, 0), (4, 0, 9)]);
        // Nothing changed: nothing to say.
        assert_eq!(diff(&first, &first), []);
        // #2 was read (back to 0), #3 got data, #4 was closed, #5 is new
        // and idle, #6 is new with data.
        let second = [(1, 0, 0), (2, 0, 0), (3, 4, 0), (5, 0, 0), (6, 1, 2)];
        assert_eq!(diff(&first, &second), [(2, 0, 0), (3, 4, 0), (6, 1, 2)]);
        // A removed connection is never reported again.
        assert_eq!(diff(&second, &[(1, 0, 0)]), []);
    }

    #[test]
    fn ten_thousand_idle_connections_cost_nothing_after_the_first_reading() {
        let idle: Vec<Queues> = (1..=10_000).map(|id| (id, 0, 0)).collect();
        assert_eq!(diff(&[], &idle), []);
        let mut one = idle.clone();
        one[4_999].1 = 6;
        assert_eq!(diff(&idle, &one), [(5_000, 6, 0)]);
    }

    /// Reads until `want` holds (the kernel moves the bytes between two
    /// sockets of this process at its own pace), with a generous deadline.
    fn read_until(sampler: &mut Sampler, want: impl Fn(&[Queues]) -> bool) -> Vec<Queues> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let changed = sampler.read().to_vec();
            sampler.reported();
            if want(&changed) {
                return changed;
            }
            assert!(Instant::now() < deadline, "last reading: {changed:?}");
            std::thread::yield_now();
        }
    }

    #[test]
    fn the_sampler_reads_real_sockets_and_forgets_a_dropped_watch() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let registry = Registry::new();
        let watch = registry.watch(7, &server);
        assert_eq!(registry.len(), 1);
        let mut sampler = Sampler::new(Arc::clone(&registry));
        assert_eq!(sampler.read(), [], "nothing sent yet");
        sampler.reported();
        client.write_all(b"hello\n").unwrap();
        let changed = read_until(&mut sampler, |c| !c.is_empty());
        #[cfg(target_os = "linux")]
        assert_eq!(changed, [(7, 6, 0)]);
        #[cfg(not(target_os = "linux"))]
        assert_eq!(changed[0].1, 6);
        // Unchanged: not reported again.
        assert_eq!(sampler.read(), []);
        sampler.reported();
        // Unregistered (before the socket closes): never read again.
        drop(watch);
        drop(server);
        assert!(registry.is_empty());
        assert_eq!(sampler.read(), []);
    }

    #[test]
    fn a_pass_reads_every_socket_across_many_holds_of_the_lock() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let registry = Registry::new();
        let mut keep = Vec::new();
        // More than two holds' worth, with gaps in the ids.
        for i in 0..(PER_LOCK as u64 * 2 + 5) {
            let client = TcpStream::connect(addr).unwrap();
            let (server, _) = listener.accept().unwrap();
            let watch = registry.watch(i * 3 + 1, &server);
            keep.push((watch, server, client));
        }
        let mut all = Vec::new();
        registry.read_all(&mut all);
        assert_eq!(all.len(), keep.len());
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "in id order");
    }
}
