//! What the blocking, threaded and pool models share: accepting and serving
//! one client with blocking calls, each reported as `blocked` / `unblocked`
//! so the dashboard can show where every thread is parked and for how long.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::control::{Control, Resume};
use crate::event::{Call, ConnId, Evict, Refuse};
use crate::probe::Probe;
use crate::server::{ACCEPT_BACKOFF, ConnIds, Limits, RECV_SIZE, is_transient_accept_error};
/// `send` without waiting (and, on Linux, without SIGPIPE).
#[cfg(target_os = "linux")]
const SEND_NOW: i32 = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
#[cfg(not(target_os = "linux"))]
const SEND_NOW: i32 = libc::MSG_DONTWAIT;

/// The sockets of a running blocking model, so that stopping can wake every
/// thread parked in `accept` or `recv` (by shutting its socket down).
#[derive(Debug, Default)]
pub(crate) struct Sockets {
    listener: Mutex<Option<TcpListener>>,
    conns: Mutex<HashMap<ConnId, TcpStream>>,
}

impl Sockets {
    pub fn new(listener: &TcpListener) -> Arc<Self> {
        Arc::new(Sockets {
            listener: Mutex::new(listener.try_clone().ok()),
            conns: Mutex::default(),
        })
    }

    pub fn add(&self, id: ConnId, stream: &TcpStream) {
        if let Ok(clone) = stream.try_clone() {
            self.conns
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, clone);
        }
    }

    /// Clients being served or queued.
    pub fn count(&self) -> usize {
        self.conns.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn remove(&self, id: ConnId) {
        self.conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    /// Wakes every parked thread: `accept` and `recv` return at once.
    pub fn shutdown_all(&self) {
        if let Some(l) = &*self.listener.lock().unwrap_or_else(|e| e.into_inner()) {
            // Linux: shutting a listener's read side makes accept() fail.
            let _ = socket2::SockRef::from(l).shutdown(Shutdown::Read);
        }
        for s in self
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// The nudge to give the control: on stop, shut everything down.
    pub fn nudge(self: &Arc<Self>) -> crate::control::Nudge {
        let sockets = Arc::clone(self);
        Box::new(move |stopping| {
            if stopping {
                sockets.shutdown_all();
            }
        })
    }
}

/// Parks `thread` while the server is paused, reporting it (`paused`
/// names the thread). Every thread checks this before each call it makes,
/// so a thread that was in the kernel when the pause came still stops
/// before its next call. `false` when the server is stopping.
pub(crate) fn hold_while_paused<P: Probe>(control: &Control, thread: &str, probe: &mut P) -> bool {
    !(control.should_park() && control.park(|p| probe.paused(p, thread)) == Resume::Stop)
}

/// Parks in `accept()` until a client comes (reported as blocked/unblocked).
/// `Ok(None)` when the server is stopping.
pub(crate) fn accept<P: Probe>(
    listener: &TcpListener,
    thread: &str,
    control: &Control,
    probe: &mut P,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        if !hold_while_paused(control, thread, probe) {
            return None;
        }
        probe.blocked(thread, Call::Accept, None);
        let since = Instant::now();
        let result = listener.accept();
        probe.unblocked(thread, Call::Accept, None, since.elapsed());
        if control.is_stopping() {
            return None;
        }
        match result {
            Ok(accepted) => return Some(accepted),
            Err(e) if is_transient_accept_error(&e) => {}
            Err(e) => {
                // EMFILE and friends: say so, wait, try again.
                probe.accept_error(&e, ACCEPT_BACKOFF);
                if control.wait_stop(ACCEPT_BACKOFF) {
                    return None;
                }
            }
        }
    }
}

/// The accept side of the thread models: parks in `accept()`, turns away
/// clients beyond `max_conns` (accepted and closed at once), numbers the
/// others (from `ids`) and registers them for stopping; then, if paused,
/// waits before handing the client on. `None` on stop.
pub(crate) fn accept_client<P: Probe>(
    listener: &TcpListener,
    thread: &str,
    control: &Control,
    sockets: &Sockets,
    limits: &Limits,
    ids: &ConnIds,
    probe: &mut P,
) -> Option<(TcpStream, ConnId)> {
    loop {
        let (stream, peer) = accept(listener, thread, control, probe)?;
        if sockets.count() >= limits.max_conns {
            probe.refused(peer, Refuse::MaxConns, limits.max_conns as u64);
            continue;
        }
        let id = ids.next();
        probe.accept(id, peer);
        sockets.add(id, &stream);
        if !hold_while_paused(control, thread, probe) {
            sockets.remove(id);
            return None;
        }
        return Some((stream, id));
    }
}

/// Serves one client until it leaves: `recv(1024)`, upper-case, `send` it
/// all, again. Returns when the client closes or resets, or on stop.
pub(crate) fn serve_client<P: Probe>(
    mut stream: TcpStream,
    id: ConnId,
    thread: &str,
    control: &Control,
    limits: &Limits,
    sockets: &Sockets,
    probe: &mut P,
) {
    serve_until_gone(&mut stream, id, thread, control, limits, sockets, probe);
    // Unregistered before the socket closes, and before the event that
    // says so went out (see serve_until_gone): `max_conns` never counts a
    // client that is gone.
    sockets.remove(id);
}

fn serve_until_gone<P: Probe>(
    stream: &mut TcpStream,
    id: ConnId,
    thread: &str,
    control: &Control,
    limits: &Limits,
    sockets: &Sockets,
    probe: &mut P,
) {
    // A client that never reads would hold this thread in send() forever.
    let _ = stream.set_write_timeout(Some(limits.stall_timeout));
    let mut buf = [0u8; RECV_SIZE];
    let mut spin = 0u64;
    loop {
        if !hold_while_paused(control, thread, probe) {
            return;
        }
        spin += 1;
        probe.spin();
        probe.blocked(thread, Call::Recv, Some(id));
        let since = Instant::now();
        let result = stream.read(&mut buf);
        probe.unblocked(thread, Call::Recv, Some(id), since.elapsed());
        if control.is_stopping() {
            return;
        }
        match result {
            Ok(0) => {
                sockets.remove(id);
                probe.closed(id);
                return;
            }
            Ok(n) => {
                let data = &mut buf[..n];
                probe.recv(id, data, spin);
                // Paused while parked in recv: the reply waits for the resume.
                if !hold_while_paused(control, thread, probe) {
                    return;
                }
                data.make_ascii_uppercase();
                if let Err(e) = send_all(stream, data, id, thread, probe) {
                    sockets.remove(id);
                    if control.is_stopping() {
                    } else if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                        probe.evicted(id, Evict::SendTimeout, None, limits.stall_timeout);
                    } else {
                        probe.reset(id, Call::Send, &e, None);
                    }
                    return;
                }
                probe.send(id, data, 0, spin);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                sockets.remove(id);
                probe.reset(id, Call::Recv, &e, None);
                return;
            }
        }
    }
}

/// Sends the whole reply. Tries without blocking first, so that `blocked`
/// on `send` is reported only when the client really is not reading.
fn send_all<P: Probe>(
    stream: &mut TcpStream,
    mut data: &[u8],
    id: ConnId,
    thread: &str,
    probe: &mut P,
) -> io::Result<()> {
    let sock = socket2::SockRef::from(&*stream);
    while !data.is_empty() {
        match sock.send_with_flags(data, SEND_NOW) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                probe.blocked(thread, Call::Send, Some(id));
                let since = Instant::now();
                let result = stream.write_all(data);
                probe.unblocked(thread, Call::Send, Some(id), since.elapsed());
                return result;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
