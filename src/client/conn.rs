//! One non-blocking client connection that checks every reply byte against
//! the upper-cased bytes it sent, in order, however the replies are split
//! across reads. Neither the bytes sent nor the replies expected are held:
//! both are made again from the message as they are needed.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;

use super::payload::Message;
use super::stats::Tally;

/// Bytes made and written, or read and checked, at a time.
const CHUNK: usize = 16 * 1024;

/// A message being written.
#[derive(Debug, Clone, Copy)]
struct Outgoing {
    msg: Message,
    /// Bytes the kernel has taken.
    written: u64,
}

/// A message waiting for its reply.
#[derive(Debug, Clone, Copy)]
struct Inflight {
    msg: Message,
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
    out: VecDeque<Outgoing>,
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
    pub fn queue(&mut self, msg: Message, tally: &mut Tally) {
        self.queue_unread(msg, tally);
        self.queued_total += msg.len();
        self.inflight.push_back(Inflight {
            msg,
            ends_at: self.queued_total,
            sent_at: Instant::now(),
        });
    }

    /// Queues one message whose reply will never be read (a slow reader).
    pub fn queue_unread(&mut self, msg: Message, tally: &mut Tally) {
        self.out.push_back(Outgoing { msg, written: 0 });
        tally.messages_sent += 1;
    }

    /// Shut the sending side once everything queued is written.
    pub fn shutdown_after_send(&mut self) {
        self.shutdown_when_sent = true;
    }

    /// Bytes queued but not yet taken by the kernel.
    pub fn unsent(&self) -> u64 {
        self.out.iter().map(|o| o.msg.len() - o.written).sum()
    }

    /// Messages still waiting for (part of) their reply.
    pub fn awaiting(&self) -> usize {
        self.inflight.len()
    }

    /// Writes what the kernel takes. `Ok(true)` when everything is out.
    pub fn write_some(&mut self, tally: &mut Tally) -> io::Result<bool> {
        let mut buf = [0u8; CHUNK];
        while let Some(front) = self.out.front_mut() {
            // The next chunk, made afresh; what the kernel does not take of
            // it is made again next time.
            let len = (front.msg.len() - front.written).min(CHUNK as u64) as usize;
            front.msg.fill(front.written, &mut buf[..len]);
            let mut at = 0;
            while at < len {
                match self.stream.write(&buf[at..len]) {
                    Ok(0) => return Err(ErrorKind::WriteZero.into()),
                    Ok(n) => {
                        at += n;
                        front.written += n as u64;
                        tally.bytes_sent += n as u64;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if front.written == front.msg.len() {
                self.out.pop_front();
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
        let mut buf = [0u8; CHUNK];
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

    /// Checks arrived bytes (at most `CHUNK` of them); returns the replies
    /// completed and the round trip of the last one.
    fn check(&mut self, data: &[u8], tally: &mut Tally) -> (u64, Option<Duration>) {
        let mut expected = [0u8; CHUNK];
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
            // Where this chunk stands in its message, and what it should be.
            let offset = front.msg.len() - (front.ends_at - self.received);
            let expected = &mut expected[..take];
            front.msg.fill(offset, expected);
            expected.make_ascii_uppercase();
            if chunk != expected {
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
        conn.queue(Message::text(0, 1, 5), &mut tally); // "clien"
        conn.queue(Message::text(0, 2, 3), &mut tally); // "cli"
        assert_eq!(conn.check(b"CL", &mut tally).0, 0);
        assert_eq!(conn.check(b"IENC", &mut tally).0, 1);
        assert_eq!(conn.check(b"lI", &mut tally).0, 1); // 'l' should be 'L'
        assert_eq!((tally.replies_verified, tally.mismatches), (1, 1));
        assert_eq!(conn.awaiting(), 0);
        conn.check(b"extra", &mut tally);
        assert_eq!(tally.unexpected_bytes, 5);
    }
}
