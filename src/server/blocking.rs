//! The lecture's first server: one thread, `accept()` a client, then serve
//! it until it leaves. While it serves one client, nobody else is accepted:
//! they wait in the kernel's listen queue, connected but unanswered.

use std::thread::JoinHandle;

use super::Spawn;
use super::blocking_io::Shared;
use crate::event::Role;

pub(crate) fn spawn(s: Spawn) -> std::io::Result<Vec<JoinHandle<()>>> {
    let shared = Shared::new(&s);
    let listener = s.listener;
    let thread = s.threads.spawn(
        "ioscope-blocking",
        "server",
        Role::AcceptAndServe,
        None,
        Some(s.hello),
        move |probe, name| {
            while let Some((stream, id)) = shared.accept_client(&listener, name, probe) {
                shared.serve_client(stream, id, name, probe);
            }
        },
    )?;
    Ok(vec![thread])
}
