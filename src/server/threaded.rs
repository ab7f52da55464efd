//! Thread per connection: an accept thread, and a new thread for every
//! client, parked in its own `recv()`. Clients no longer wait for each
//! other; every one costs a thread (its stack, its scheduling).

use std::thread::JoinHandle;

use super::Spawn;
use super::blocking_io::Shared;
use crate::event::{Call, ResetNote, Role};
use crate::probe::Probe;

pub(crate) fn spawn(s: Spawn) -> std::io::Result<Vec<JoinHandle<()>>> {
    let shared = Shared::new(&s);
    let (listener, threads) = (s.listener, s.threads.clone());
    let thread = s.threads.spawn(
        "ioscope-accept",
        "accept",
        Role::AcceptSpawn,
        None,
        Some(s.hello),
        move |probe, name| {
            let mut clients: Vec<JoinHandle<()>> = Vec::new();
            while let Some((stream, id)) = shared.accept_client(&listener, name, probe) {
                // The client's thread reports from now on: its events must
                // not come before this one's `accept`.
                probe.deliver();
                let serving = shared.clone();
                let client = format!("conn-{id}");
                let started = threads.spawn(
                    &format!("ioscope-{client}"),
                    client,
                    Role::Client,
                    Some(id),
                    None,
                    move |probe, name| serving.serve_client(stream, id, name, probe),
                );
                match started {
                    Ok(handle) => clients.push(handle),
                    Err(e) => {
                        // Out of threads: the client is dropped, and it shows.
                        shared.forget(id);
                        probe.reset(id, Call::Accept, &e, Some(ResetNote::NoThread));
                        probe.accept_error(&e, super::ACCEPT_BACKOFF);
                    }
                }
                clients.retain(|h| !h.is_finished());
            }
            for handle in clients {
                let _ = handle.join();
            }
        },
    )?;
    Ok(vec![thread])
}
