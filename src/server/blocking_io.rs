//! What the blocking, threaded and pool models share: accepting and serving
//! one client with blocking calls, each reported as `blocked` / `unblocked`
//! so the dashboard can show where every thread is parked and for how long.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::control::{Control, Resume};
use crate::event::{Call, ConnId, Evict};
use crate::probe::Probe;
use crate::server::admission::{Admission, Place};
use crate::server::kernel::{Registry, Watch};
use crate::server::{
    ACCEPT_BACKOFF, ConnIds, Limits, RECV_SIZE, Spawn, call_gate, is_transient_accept_error,
};
/// `send` without waiting (and, on Linux, without SIGPIPE).
#[cfg(target_os = "linux")]
const SEND_NOW: i32 = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
#[cfg(not(target_os = "linux"))]
const SEND_NOW: i32 = libc::MSG_DONTWAIT;

/// The sockets of a running blocking model, so that stopping can wake every
/// thread parked in `accept` or `recv` (by shutting its socket down); with
/// each client's place among its address's, given back when it is
/// forgotten; and each registered for the sampler (its kernel queues).
#[derive(Debug, Default)]
struct Sockets {
    listener: Mutex<Option<TcpListener>>,
    /// The watch first: a tuple drops in order, so the socket is
    /// unregistered before its clone closes.
    conns: Mutex<HashMap<ConnId, (Watch, TcpStream, Place)>>,
    kernel: Arc<Registry>,
}

impl Sockets {
    pub fn new(listener: &TcpListener, kernel: Arc<Registry>) -> Arc<Self> {
        Arc::new(Sockets {
            listener: Mutex::new(listener.try_clone().ok()),
            conns: Mutex::default(),
            kernel,
        })
    }

    pub fn add(&self, id: ConnId, stream: &TcpStream, place: Place) {
        if let Ok(clone) = stream.try_clone() {
            let watch = self.kernel.watch(id, &clone);
            self.conns
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, (watch, clone, place));
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
            let _ = s.1.shutdown(Shutdown::Both);
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
/// names the thread), between two calls: a call step goes on through it.
/// `false` when the server is stopping.
fn hold_while_paused<P: Probe>(control: &Control, thread: &str, probe: &mut P) -> bool {
    !(control.should_park() && control.park(|p| probe.paused(p, thread)) == Resume::Stop)
}

/// What every thread of a thread model shares: the control, the limits,
/// where connection ids come from, and the sockets to shut on stop.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    control: Arc<Control>,
    limits: Limits,
    admission: Admission,
    ids: ConnIds,
    sockets: Arc<Sockets>,
}

impl Shared {
    /// For the model `s` starts: stopping it wakes every thread it parks.
    pub fn new(s: &Spawn) -> Self {
        let sockets = Sockets::new(&s.listener, s.kernel.clone());
        s.control.set_nudge(sockets.nudge());
        Shared {
            control: s.control.clone(),
            limits: s.limits,
            admission: Admission::new(&s.limits),
            ids: s.conn_ids.clone(),
            sockets,
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.control.is_stopping()
    }

    /// See [`hold_while_paused`].
    pub fn hold_while_paused<P: Probe>(&self, thread: &str, probe: &mut P) -> bool {
        hold_while_paused(&self.control, thread, probe)
    }

    /// A client no longer served (or queued).
    pub fn forget(&self, id: ConnId) {
        self.sockets.remove(id);
    }

    /// Parks in `accept()` until a client comes (reported as
    /// blocked/unblocked). `None` when the server is stopping.
    fn accept<P: Probe>(
        &self,
        listener: &TcpListener,
        thread: &str,
        probe: &mut P,
    ) -> Option<(TcpStream, SocketAddr)> {
        let control = &*self.control;
        loop {
            if !call_gate(control, probe, thread) {
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

    /// The accept side of the thread models: parks in `accept()`, turns
    /// away clients beyond `max_conns` or `max_conns_per_ip` (accepted and
    /// closed at once), numbers the others and registers them for stopping;
    /// then, if paused, waits before handing the client on. `None` on stop.
    pub fn accept_client<P: Probe>(
        &self,
        listener: &TcpListener,
        thread: &str,
        probe: &mut P,
    ) -> Option<(TcpStream, ConnId)> {
        loop {
            let (stream, peer) = self.accept(listener, thread, probe)?;
            let Some(place) = self.admission.admit(peer, self.sockets.count(), probe) else {
                continue;
            };
            let id = self.ids.next();
            probe.accept(id, peer);
            self.sockets.add(id, &stream, place);
            if !self.hold_while_paused(thread, probe) {
                self.forget(id);
                return None;
            }
            return Some((stream, id));
        }
    }

    /// Serves one client until it leaves: `recv(1024)`, upper-case, `send`
    /// it all, again. Returns when the client closes or resets, or on stop.
    pub fn serve_client<P: Probe>(
        &self,
        mut stream: TcpStream,
        id: ConnId,
        thread: &str,
        probe: &mut P,
    ) {
        self.serve_until_gone(&mut stream, id, thread, probe);
        // Unregistered before the socket closes, and before the event that
        // says so went out (see serve_until_gone): `max_conns` and
        // `max_conns_per_ip` never count a client that is gone.
        self.forget(id);
    }

    fn serve_until_gone<P: Probe>(
        &self,
        stream: &mut TcpStream,
        id: ConnId,
        thread: &str,
        probe: &mut P,
    ) {
        let (control, stall_timeout) = (&*self.control, self.limits.stall_timeout);
        // A client that never reads would hold this thread in send() forever.
        let _ = stream.set_write_timeout(Some(stall_timeout));
        let mut buf = [0u8; RECV_SIZE];
        let mut spin = 0u64;
        loop {
            if !call_gate(control, probe, thread) {
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
                    self.forget(id);
                    probe.closed(id);
                    return;
                }
                Ok(n) => {
                    let data = &mut buf[..n];
                    probe.recv(id, data, spin);
                    // Paused while parked in recv: the reply waits for the
                    // resume (or the next step).
                    if !call_gate(control, probe, thread) {
                        return;
                    }
                    data.make_ascii_uppercase();
                    if let Err(e) = send_all(stream, data, id, thread, probe) {
                        self.forget(id);
                        if control.is_stopping() {
                        } else if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                            probe.evicted(id, Evict::SendTimeout, None, stall_timeout);
                        } else {
                            probe.reset(id, Call::Send, &e, None);
                        }
                        return;
                    }
                    probe.send(id, data, 0, spin);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    self.forget(id);
                    probe.reset(id, Call::Recv, &e, None);
                    return;
                }
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
