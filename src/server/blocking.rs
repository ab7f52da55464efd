//! The lecture's first server: one thread, `accept()` a client, then serve
//! it until it leaves. While it serves one client, nobody else is accepted:
//! they wait in the kernel's listen queue, connected but unanswered.

use std::thread::JoinHandle;

use super::Spawn;
use super::blocking_io::{self, Sockets};
use crate::event::Role;
use crate::probe::{ChannelProbe, Probe};

pub(crate) fn spawn(mut s: Spawn) -> std::io::Result<Vec<JoinHandle<()>>> {
    let sockets = Sockets::new(&s.listener);
    s.control.set_nudge(sockets.nudge());
    let thread = std::thread::Builder::new()
        .name("ioscope-blocking".into())
        .spawn(move || {
            let mut probe = ChannelProbe::new(s.tx.clone(), s.epoch);
            s.hello.announce(&mut probe);
            probe.thread("server", Role::AcceptAndServe, true, None);
            while let Some((stream, id)) = blocking_io::accept_client(
                &s.listener,
                "server",
                &s.control,
                &sockets,
                &s.limits,
                &s.conn_ids,
                &mut probe,
            ) {
                blocking_io::serve_client(
                    stream, id, "server", &s.control, &s.limits, &sockets, &mut probe,
                );
            }
            probe.thread("server", Role::AcceptAndServe, false, None);
        })?;
    Ok(vec![thread])
}
