//! A thread pool: an accept thread puts clients on a bounded queue, and N
//! workers take them one at a time and serve each until it leaves. The
//! thread count is capped; when every worker is busy, clients wait in the
//! queue — and it shows, with how long each waited.

use std::net::TcpStream;
use std::thread::JoinHandle;
use std::time::Instant;

use super::blocking_io::{self, Sockets};
use super::{Spawn, wait_for_listening};
use crate::event::{Call, ConnId, Role};
use crate::probe::{ChannelProbe, Probe};

/// Clients the queue holds before the accept thread itself waits.
pub const QUEUE_CAP: usize = 256;

struct Job {
    stream: TcpStream,
    id: ConnId,
    queued: Instant,
}

pub(crate) fn spawn(mut s: Spawn, workers: usize) -> std::io::Result<Vec<JoinHandle<()>>> {
    let sockets = Sockets::new(&s.listener);
    s.control.set_nudge(sockets.nudge());
    let (jobs_tx, jobs) = crossbeam_channel::bounded::<Job>(QUEUE_CAP);
    let mut threads = Vec::with_capacity(workers + 1);
    for w in 1..=workers.max(1) {
        let limits = s.limits;
        let listening_sent = s.listening_sent.clone();
        let (jobs, tx, epoch, control, sockets) = (
            jobs.clone(),
            s.tx.clone(),
            s.epoch,
            s.control.clone(),
            sockets.clone(),
        );
        let name = format!("worker-{w}");
        threads.push(
            std::thread::Builder::new()
                .name(format!("ioscope-{name}"))
                .spawn(move || {
                    wait_for_listening(&listening_sent);
                    let mut probe = ChannelProbe::new(tx, epoch);
                    probe.thread(&name, Role::Worker, true, None);
                    loop {
                        probe.blocked(&name, Call::Queue, None);
                        let since = Instant::now();
                        let job = jobs.recv();
                        probe.unblocked(&name, Call::Queue, None, since.elapsed());
                        let Ok(job) = job else { break };
                        if control.is_stopping() {
                            break;
                        }
                        probe.dequeued(job.id, &name, job.queued.elapsed());
                        if !blocking_io::hold_while_paused(&control, &name, &mut probe) {
                            sockets.remove(job.id);
                            break;
                        }
                        blocking_io::serve_client(
                            job.stream, job.id, &name, &control, &limits, &sockets, &mut probe,
                        );
                    }
                    probe.thread(&name, Role::Worker, false, None);
                })?,
        );
    }
    drop(jobs);
    threads.push(
        std::thread::Builder::new()
            .name("ioscope-accept".into())
            .spawn(move || {
                let mut probe = ChannelProbe::new(s.tx.clone(), s.epoch);
                s.hello.announce(&mut probe);
                probe.thread("accept", Role::AcceptQueue, true, None);
                while let Some((stream, id)) = blocking_io::accept_client(
                    &s.listener,
                    "accept",
                    &s.control,
                    &sockets,
                    &s.limits,
                    &s.conn_ids,
                    &mut probe,
                ) {
                    probe.queued(id);
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
                    probe.blocked("accept", Call::Queue, Some(id));
                    let since = Instant::now();
                    let sent = jobs_tx.send(job);
                    probe.unblocked("accept", Call::Queue, Some(id), since.elapsed());
                    if sent.is_err() {
                        break;
                    }
                }
                // Dropping the queue's sender lets idle workers leave.
                drop(jobs_tx);
                probe.thread("accept", Role::AcceptQueue, false, None);
            })?,
    );
    Ok(threads)
}
