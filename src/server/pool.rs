//! A thread pool: an accept thread puts clients on a bounded queue, and N
//! workers take them one at a time and serve each until it leaves. The
//! thread count is capped; when every worker is busy, clients wait in the
//! queue — and it shows, with how long each waited.

use std::net::TcpStream;
use std::thread::JoinHandle;
use std::time::Instant;

use super::Spawn;
use super::blocking_io::Shared;
use crate::event::{Call, ConnId, Role};
use crate::probe::Probe;

/// Clients the queue holds before the accept thread itself waits.
pub const QUEUE_CAP: usize = 256;

struct Job {
    stream: TcpStream,
    id: ConnId,
    queued: Instant,
}

pub(crate) fn spawn(s: Spawn, workers: usize) -> std::io::Result<Vec<JoinHandle<()>>> {
    let shared = Shared::new(&s);
    let (jobs_tx, jobs) = crossbeam_channel::bounded::<Job>(QUEUE_CAP);
    let mut handles = Vec::with_capacity(workers + 1);
    for w in 1..=workers.max(1) {
        let (jobs, shared) = (jobs.clone(), shared.clone());
        let worker = format!("worker-{w}");
        handles.push(s.threads.spawn(
            &format!("ioscope-{worker}"),
            worker,
            Role::Worker,
            None,
            None,
            move |probe, name| loop {
                probe.blocked(name, Call::Queue, None);
                let since = Instant::now();
                let job = jobs.recv();
                probe.unblocked(name, Call::Queue, None, since.elapsed());
                let Ok(job) = job else { break };
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
        )?);
    }
    drop(jobs);
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
                let job = Job {
                    stream,
                    id,
                    queued: Instant::now(),
                };
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
            // Dropping the queue's sender lets idle workers leave.
            drop(jobs_tx);
        },
    )?);
    Ok(handles)
}
