//! Thread per connection: an accept thread, and a new thread for every
//! client, parked in its own `recv()`. Clients no longer wait for each
//! other; every one costs a thread (its stack, its scheduling).

use std::thread::JoinHandle;

use super::Spawn;
use super::blocking_io::{self, Sockets};
use crate::event::{Call, ResetNote, Role};
use crate::probe::{ChannelProbe, Probe};

pub(crate) fn spawn(mut s: Spawn) -> std::io::Result<Vec<JoinHandle<()>>> {
    let sockets = Sockets::new(&s.listener);
    s.control.set_nudge(sockets.nudge());
    let thread = std::thread::Builder::new()
        .name("ioscope-accept".into())
        .spawn(move || {
            let mut probe = ChannelProbe::new(s.tx.clone(), s.epoch);
            s.hello.announce(&mut probe);
            probe.thread("accept", Role::AcceptSpawn, true, None);
            let mut clients: Vec<JoinHandle<()>> = Vec::new();
            while let Some((stream, id)) = blocking_io::accept_client(
                &s.listener,
                "accept",
                &s.control,
                &sockets,
                &s.limits,
                &s.conn_ids,
                &mut probe,
            ) {
                let (tx, epoch, control, sockets2, limits) = (
                    s.tx.clone(),
                    s.epoch,
                    s.control.clone(),
                    sockets.clone(),
                    s.limits,
                );
                let name = format!("conn-{id}");
                let started = std::thread::Builder::new()
                    .name(format!("ioscope-{name}"))
                    .spawn(move || {
                        let mut probe = ChannelProbe::new(tx, epoch);
                        probe.thread(&name, Role::Client, true, Some(id));
                        blocking_io::serve_client(
                            stream, id, &name, &control, &limits, &sockets2, &mut probe,
                        );
                        probe.thread(&name, Role::Client, false, Some(id));
                    });
                match started {
                    Ok(handle) => clients.push(handle),
                    Err(e) => {
                        // Out of threads: the client is dropped, and it shows.
                        sockets.remove(id);
                        probe.reset(id, Call::Accept, &e, Some(ResetNote::NoThread));
                        probe.accept_error(&e, super::ACCEPT_BACKOFF);
                    }
                }
                clients.retain(|h| !h.is_finished());
            }
            for handle in clients {
                let _ = handle.join();
            }
            probe.thread("accept", Role::AcceptSpawn, false, None);
        })?;
    Ok(vec![thread])
}
