//! One non-blocking client connection that checks every reply byte against
//! the upper-cased bytes it sent, in order, however the replies are split
//! across reads.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;

use super::stats::Tally;

/// A message waiting for its reply.
#[derive(Debug, Clone, Copy)]
struct Inflight {
    /// The value of `Conn::received` once its reply is complete.
    ends_at: u64,
    sent_at: Instant,
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOutcome {
    /// Replies completed by this read.
    pub replies: u64,
    /// The server closed its side (read returned 0).
    pub eof: bool,
    /// The round trip of the last reply completed by this read.
    pub rtt: Option<Duration>,
}

#[derive(Debug)]
pub struct Conn {
    pub stream: TcpStream,
    connecting_since: Option<Instant>,
    out: VecDeque<u8>,
    expect: VecDeque<u8>,
    inflight: VecDeque<Inflight>,
    queued_total: u64,
    received: u64,
    /// The front reply has a wrong byte somewhere.
    front_mismatch: bool,
    /// Shut the write side once `out` is empty.
    shutdown_when_sent: bool,
    write_shut: bool,
}

impl Conn {
    /// Starts a non-blocking connect.
    pub fn connect(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        Ok(Conn {
            stream,
            connecting_since: Some(Instant::now()),
            out: VecDeque::new(),
            expect: VecDeque::new(),
            inflight: VecDeque::new(),
            queued_total: 0,
            received: 0,
            front_mismatch: false,
            shutdown_when_sent: false,
            write_shut: false,
        })
    }

    pub fn is_connected(&self) -> bool {
        self.connecting_since.is_none()
    }

    /// On a writable (or any) event while connecting: `Ok(Some(took))` once
    /// the connection is up, `Ok(None)` while it is still pending, `Err` if
    /// it failed.
    pub fn finish_connect(&mut self) -> io::Result<Option<Duration>> {
        let Some(since) = self.connecting_since else {
            return Ok(None);
        };
        if let Some(e) = self.stream.take_error()? {
            return Err(e);
        }
        match self.stream.peer_addr() {
            Ok(_) => {
                self.connecting_since = None;
                Ok(Some(since.elapsed()))
            }
            Err(e) if e.kind() == ErrorKind::NotConnected => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Queues one message; its reply is expected upper-cased.
    pub fn queue(&mut self, msg: &[u8], tally: &mut Tally) {
        self.out.extend(msg);
        self.expect.extend(msg.iter().map(u8::to_ascii_uppercase));
        self.queued_total += msg.len() as u64;
        self.inflight.push_back(Inflight {
            ends_at: self.queued_total,
            sent_at: Instant::now(),
        });
        tally.messages_sent += 1;
    }

    /// Queues one message whose reply will never be read (a slow reader):
    /// nothing is kept to check it against, so memory stays bounded.
    pub fn queue_unread(&mut self, msg: &[u8], tally: &mut Tally) {
        self.out.extend(msg);
        tally.messages_sent += 1;
    }

    /// Shut the sending side once everything queued is written.
    pub fn shutdown_after_send(&mut self) {
        self.shutdown_when_sent = true;
    }

    /// Bytes queued but not yet taken by the kernel.
    pub fn unsent(&self) -> usize {
        self.out.len()
    }

    /// Messages still waiting for (part of) their reply.
    pub fn awaiting(&self) -> usize {
        self.inflight.len()
    }

    /// Writes what the kernel takes. `Ok(true)` when everything is out.
    pub fn write_some(&mut self, tally: &mut Tally) -> io::Result<bool> {
        while !self.out.is_empty() {
            let (front, _) = self.out.as_slices();
            match self.stream.write(front) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.out.drain(..n);
                    tally.bytes_sent += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.shutdown_when_sent && !self.write_shut {
            self.write_shut = true;
            self.stream.shutdown(std::net::Shutdown::Write)?;
        }
        Ok(true)
    }

    /// Reads what has arrived and checks it byte by byte.
    pub fn read_some(&mut self, tally: &mut Tally) -> io::Result<ReadOutcome> {
        let mut outcome = ReadOutcome::default();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    outcome.eof = true;
                    return Ok(outcome);
                }
                Ok(n) => {
                    tally.bytes_received += n as u64;
                    let (replies, rtt) = self.check(&buf[..n], tally);
                    outcome.replies += replies;
                    outcome.rtt = rtt.or(outcome.rtt);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(outcome),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Checks arrived bytes; returns the replies completed and the round
    /// trip of the last one.
    fn check(&mut self, data: &[u8], tally: &mut Tally) -> (u64, Option<Duration>) {
        let mut completed = 0;
        let mut rtt = None;
        let mut rest = data;
        while !rest.is_empty() {
            let Some(front) = self.inflight.front().copied() else {
                // Bytes nobody asked for.
                tally.unexpected_bytes += rest.len() as u64;
                self.received += rest.len() as u64;
                return (completed, rtt);
            };
            let take = ((front.ends_at - self.received) as usize).min(rest.len());
            let (chunk, tail) = rest.split_at(take);
            let expected = self.expect.drain(..take);
            if !chunk.iter().copied().eq(expected) {
                self.front_mismatch = true;
            }
            self.received += take as u64;
            rest = tail;
            if self.received == front.ends_at {
                self.inflight.pop_front();
                if std::mem::take(&mut self.front_mismatch) {
                    tally.mismatches += 1;
                } else {
                    let took = front.sent_at.elapsed();
                    tally.replies_verified += 1;
                    tally.record_rtt(took);
                    rtt = Some(took);
                }
                completed += 1;
            }
        }
        (completed, rtt)
    }

    /// Closes with SO_LINGER 0: the kernel sends a reset, not a FIN.
    pub fn reset(self) -> io::Result<()> {
        socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO))?;
        drop(self);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn replies_split_anywhere_are_verified_and_wrong_bytes_counted() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut conn = Conn::connect(listener.local_addr().unwrap()).unwrap();
        let mut tally = Tally::default();
        conn.queue(b"hello", &mut tally);
        conn.queue(b"abc", &mut tally);
        assert_eq!(conn.check(b"HE", &mut tally).0, 0);
        assert_eq!(conn.check(b"LLOA", &mut tally).0, 1);
        assert_eq!(conn.check(b"bC", &mut tally).0, 1); // 'b' should be 'B'
        assert_eq!((tally.replies_verified, tally.mismatches), (1, 1));
        assert_eq!(conn.awaiting(), 0);
        conn.check(b"extra", &mut tally);
        assert_eq!(tally.unexpected_bytes, 5);
    }
}
