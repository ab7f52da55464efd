//! The server side of watching.
//!
//! A model reports what its sockets did through a [`Probe`]. The real one,
//! [`ChannelProbe`], turns that into [`Event`](crate::event::Event)s without
//! ever waiting and without a system call per event: each server thread
//! fills a batch of its own and hands it over whole on a bounded
//! [`channel`]; what the hot loop does millions of times a second (spins,
//! WouldBlocks) is only counted and summarised about every 20 ms. What the
//! channel cannot take is counted, and the count goes out later as a
//! `dropped` event. [`NoProbe`] does nothing at all, so a benchmark can run
//! the very same loop with the instrumentation compiled out.

mod batching;
pub mod channel;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

pub use batching::{BATCH, ChannelProbe};
pub use channel::{EVENT_CHANNEL_CAP, EventRx, EventTx};

use crate::event::{Backoff, Call, ConnId, Evict, Model, Reach, Refuse, ResetNote, Role};

/// How often summaries go out, and batches with them.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// Everything a model can report. All methods default to doing nothing.
pub trait Probe {
    /// `faithful`: the lecture's listing (`Some(true)`: verbatim);
    /// `reachable`: where clients elsewhere reach it (beyond loopback).
    fn listening(
        &mut self,
        _addr: SocketAddr,
        _model: Model,
        _backlog: i32,
        _listing: Option<bool>,
        _reachable: &[Reach],
    ) {
    }
    /// The pace the viewer set (slow motion, the idle backoff).
    fn pace(&mut self, _call_delay: Duration, _backoff: Backoff, _sleep: Duration) {}
    /// One loop iteration began.
    #[inline]
    fn spin(&mut self) {}
    /// A call (on `conn`, for recv and send) answered EAGAIN/EWOULDBLOCK.
    #[inline]
    fn would_block(&mut self, _call: Call, _conn: Option<ConnId>) {}
    /// `--faithful`: a `recv` returned 0 bytes and was treated as data.
    #[inline]
    fn empty_recv(&mut self, _conn: ConnId, _spin: u64) {}
    /// `--faithful`: an empty reply was sent.
    #[inline]
    fn empty_send(&mut self, _conn: ConnId, _spin: u64) {}
    fn accept(&mut self, _conn: ConnId, _peer: SocketAddr) {}
    fn recv(&mut self, _conn: ConnId, _data: &[u8], _spin: u64) {}
    fn send(&mut self, _conn: ConnId, _data: &[u8], _pending: usize, _spin: u64) {}
    fn closed(&mut self, _conn: ConnId) {}
    fn reset(&mut self, _conn: ConnId, _call: Call, _error: &io::Error, _note: Option<ResetNote>) {}
    fn lost(&mut self, _conn: ConnId, _bytes: usize) {}
    fn evicted(&mut self, _conn: ConnId, _why: Evict, _limit_bytes: Option<u64>, _stall: Duration) {
    }
    fn refused(&mut self, _peer: SocketAddr, _why: Refuse, _limit: u64) {}
    /// `accept` failed; the thread waits `backoff` (delivered at once).
    fn accept_error(&mut self, _error: &io::Error, _backoff: Duration) {}
    /// `thread` parked for the pause (`true`) or went on (`false`). What
    /// the thread buffered goes to the reader at once: it is about to park.
    fn paused(&mut self, _paused: bool, _thread: &str) {}
    /// A blocking model's thread is about to block in `call`: what it
    /// buffered goes to the reader first.
    fn blocked(&mut self, _thread: &str, _call: Call, _conn: Option<ConnId>) {}
    /// ... and came back after `waited`.
    fn unblocked(&mut self, _thread: &str, _call: Call, _conn: Option<ConnId>, _waited: Duration) {}
    fn thread(&mut self, _thread: &str, _role: Role, _alive: bool, _conn: Option<ConnId>) {}
    fn queued(&mut self, _conn: ConnId) {}
    fn dequeued(&mut self, _conn: ConnId, _thread: &str, _waited: Duration) {}
    /// `multiplex`: `poll` returned with `ready` events.
    #[inline]
    fn wakeup(&mut self, _ready: usize) {}
    /// Push out the summaries and everything buffered now (before pausing,
    /// after a step, before stopping).
    fn flush(&mut self) {}
    /// While `on` (the loop is stepped or slowed down), every call is an
    /// event of its own — a WouldBlock as `would_block_on`, an empty recv
    /// or send as `recv` / `send` of 0 bytes, a poll as a `wakeup` — and
    /// what was counted goes out before each event, so the events come in
    /// the order of the calls; off, counts go out in summaries about every
    /// 20 ms.
    fn trace(&mut self, _on: bool) {}
    /// Push out the summaries if ~20 ms have passed since the last ones.
    fn flush_if_due(&mut self) {}
    /// Hand what this thread has buffered to the reader now, summaries
    /// aside: before it passes a client to another thread, so that the
    /// other thread's events never come before this one's.
    fn deliver(&mut self) {}
    /// Something counted or buffered has not reached the reader yet: a
    /// loop about to sleep should wake again (within [`FLUSH_EVERY`]) for it.
    fn has_unreported(&self) -> bool {
        false
    }
}

/// Instrumentation compiled out: the bare loop, for comparison.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProbe;

impl Probe for NoProbe {}

/// A short, stable name for an IO error: `ECONNRESET`, `EPIPE`, ...
pub fn error_name(e: &io::Error) -> String {
    let name = match e.raw_os_error() {
        Some(libc::ECONNRESET) => "ECONNRESET",
        Some(libc::EPIPE) => "EPIPE",
        Some(libc::ECONNABORTED) => "ECONNABORTED",
        Some(libc::ETIMEDOUT) => "ETIMEDOUT",
        Some(libc::EMFILE) => "EMFILE",
        Some(libc::ENFILE) => "ENFILE",
        Some(libc::ENOBUFS) => "ENOBUFS",
        Some(libc::ENOMEM) => "ENOMEM",
        Some(libc::EAGAIN) => "EAGAIN",
        Some(libc::EHOSTUNREACH) => "EHOSTUNREACH",
        Some(libc::ENETUNREACH) => "ENETUNREACH",
        Some(libc::ENOTCONN) => "ENOTCONN",
        Some(n) => return format!("errno {n}"),
        None => return format!("{:?}", e.kind()),
    };
    name.to_string()
}
