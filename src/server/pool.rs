//! A thread pool: an accept thread puts clients on a bounded queue, and N
//! workers take them one at a time and serve each until it leaves. The
//! thread count is capped; when every worker is busy, clients wait in the
//! queue — and it shows, with how long each waited.

use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TrySendError};

use super::blocking_io::Shared;
use super::{Spawn, Threads};
use crate::event::{Call, ConnId, Role};
use crate::probe::Probe;

/// Clients the queue holds before the accept thread itself waits.
pub const QUEUE_CAP: usize = 256;

/// Workers a pool may grow to.
pub const MAX_WORKERS: usize = 256;

struct Job {
    stream: TcpStream,
    id: ConnId,
    queued: Instant,
}

/// What a worker takes from the queue.
enum Work {
    Client(Job),
    /// One worker fewer: the one that takes this ends.
    Retire,
}

/// The running pool, grown and shrunk live (`w` / `W`).
pub struct Pool {
    threads: Threads,
    shared: Shared,
    jobs: Receiver<Work>,
    /// The pool's own handle on the queue, let go on stop so that idle
    /// workers leave.
    queue: Mutex<Option<Sender<Work>>>,
    /// Workers started after the first ones.
    added: Mutex<Vec<JoinHandle<()>>>,
    /// The number the next worker gets.
    next: AtomicUsize,
    /// Workers running or starting, less those asked to retire.
    live: AtomicUsize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

/// Why the pool did not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resize {
    /// At [`MAX_WORKERS`], or the thread could not start.
    CannotGrow,
    /// One worker is the least a pool has.
    AtLeastOne,
    /// The queue is full of clients: the retirement could not be queued.
    QueueFull,
}

impl Pool {
    /// Starts one more worker; the number of workers then.
    pub fn grow(&self) -> Result<usize, Resize> {
        if self.live.load(Ordering::SeqCst) >= MAX_WORKERS {
            return Err(Resize::CannotGrow);
        }
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let handle = spawn_worker(&self.threads, n, self.jobs.clone(), self.shared.clone())
            .map_err(|_| Resize::CannotGrow)?;
        self.lock_added().push(handle);
        Ok(self.live.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Asks one worker to end when it is next free; the number of workers
    /// then.
    pub fn shrink(&self) -> Result<usize, Resize> {
        let live = self.live.load(Ordering::SeqCst);
        if live <= 1 {
            return Err(Resize::AtLeastOne);
        }
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let Some(queue) = queue.as_ref() else {
            return Err(Resize::AtLeastOne);
        };
        match queue.try_send(Work::Retire) {
            Ok(()) => Ok(self.live.fetch_sub(1, Ordering::SeqCst) - 1),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Resize::QueueFull),
        }
    }

    /// Workers running or starting.
    pub fn workers(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// On stop: the queue closes, idle workers leave, the added ones are
    /// joined.
    pub(crate) fn stop(&self) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        for handle in self.lock_added().drain(..) {
            let _ = handle.join();
        }
    }

    fn lock_added(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.added.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Worker `n`: takes a client from the queue and serves it until it
/// leaves, again, until the queue closes or it is asked to retire.
fn spawn_worker(
    threads: &Threads,
    n: usize,
    jobs: Receiver<Work>,
    shared: Shared,
) -> std::io::Result<JoinHandle<()>> {
    let worker = format!("worker-{n}");
    threads.spawn(
        &format!("ioscope-{worker}"),
        worker,
        Role::Worker,
        None,
        None,
        move |probe, name| loop {
            probe.blocked(name, Call::Queue, None);
            let since = Instant::now();
            let work = jobs.recv();
            probe.unblocked(name, Call::Queue, None, since.elapsed());
            let Ok(Work::Client(job)) = work else { break };
            if shared.is_stopping() {
                break;
            }
            probe.dequeued(job.id, name, job.queued.elapsed());
            if !shared.hold_while_paused(name, probe) {
                shared.forget(job.id);
                break;
            }
            shared.serve_client(job.stream, job.id, name, probe);
        },
    )
}

pub(crate) fn spawn(s: Spawn, workers: usize) -> std::io::Result<(Vec<JoinHandle<()>>, Arc<Pool>)> {
    let shared = Shared::new(&s);
    let (jobs_tx, jobs) = crossbeam_channel::bounded::<Work>(QUEUE_CAP);
    let workers = workers.clamp(1, MAX_WORKERS);
    let mut handles = Vec::with_capacity(workers + 1);
    for w in 1..=workers {
        handles.push(spawn_worker(&s.threads, w, jobs.clone(), shared.clone())?);
    }
    let pool = Arc::new(Pool {
        threads: s.threads.clone(),
        shared: shared.clone(),
        jobs,
        queue: Mutex::new(Some(jobs_tx.clone())),
        added: Mutex::new(Vec::new()),
        next: AtomicUsize::new(workers + 1),
        live: AtomicUsize::new(workers),
    });
    let listener = s.listener;
    handles.push(s.threads.spawn(
        "ioscope-accept",
        "accept",
        Role::AcceptQueue,
        None,
        Some(s.hello),
        move |probe, name| {
            while let Some((stream, id)) = shared.accept_client(&listener, name, probe) {
                probe.queued(id);
                // A worker may take the client at once: its events must not
                // come before these.
                probe.deliver();
                let job = Work::Client(Job {
                    stream,
                    id,
                    queued: Instant::now(),
                });
                // A full queue parks the accept thread too.
                let job = match jobs_tx.try_send(job) {
                    Ok(()) => continue,
                    Err(e) => e.into_inner(),
                };
                probe.blocked(name, Call::Queue, Some(id));
                let since = Instant::now();
                let sent = jobs_tx.send(job);
                probe.unblocked(name, Call::Queue, Some(id), since.elapsed());
                if sent.is_err() {
                    break;
                }
            }
        },
    )?);
    Ok((handles, pool))
}
