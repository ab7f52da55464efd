//! `ioscope client`: the lecture's client. Reads a line, sends it, prints
//! the reply; `>>>:` as the prompt when a person types. It reads the reply
//! while it sends, so a line of any length comes back whole.

use std::fmt;
use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A reply slower than this means the server is stuck (a blocking model
/// serving someone else, a paused loop): say so rather than hang silently.
const REPLY_PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub enum ClientError {
    Connect(SocketAddr, io::Error),
    /// The server closed the connection before the whole reply came.
    Closed,
    Io(io::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect(addr, e) if e.kind() == ErrorKind::ConnectionRefused => write!(
                f,
                "cannot connect to {addr}: nothing is listening there (start it with: ioscope serve --addr {addr})"
            ),
            ClientError::Connect(addr, e) => write!(f, "cannot connect to {addr}: {e}"),
            ClientError::Closed => write!(f, "the server closed the connection"),
            ClientError::Io(e)
                if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut =>
            {
                write!(
                    f,
                    "no reply within {} s: the server is not answering",
                    REPLY_PATIENCE.as_secs()
                )
            }
            ClientError::Io(e) if e.kind() == ErrorKind::ConnectionReset => {
                write!(f, "the server reset the connection")
            }
            ClientError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        ClientError::Io(e)
    }
}

/// Talks to `addr` line by line until `input` ends; then closes gracefully.
/// With `prompt`, writes `>>>:` before each line, as the lecture's client.
/// A reader of `out` that goes away (`| head -1`) ends the talk quietly.
pub fn run(
    addr: SocketAddr,
    input: impl BufRead,
    out: &mut impl Write,
    prompt: bool,
) -> Result<(), ClientError> {
    let stream = std::net::TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
        .map_err(|e| ClientError::Connect(addr, e))?;
    stream.set_nonblocking(true)?;
    let mut conn = Connection::new(stream)?;
    let mut lines = input.split(b'\n');
    loop {
        if prompt && !say(out, &[b">>>:"])? {
            break;
        }
        let Some(line) = lines.next() else {
            if prompt {
                say(out, &[b"\n"])?;
            }
            break;
        };
        let mut line = line?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.is_empty() {
            continue;
        }
        let reply = conn.exchange(&line)?;
        if !say(out, &[&reply, b"\n"])? {
            break;
        }
    }
    // EOF (Ctrl-D), or nobody reads us any more: say goodbye with a FIN,
    // not a reset.
    let _ = conn.stream.shutdown(Shutdown::Write);
    Ok(())
}

/// Writes `parts` and flushes. `Ok(false)` when nobody reads `out` any
/// more (a closed pipe): not an error, the end.
fn say(out: &mut impl Write, parts: &[&[u8]]) -> io::Result<bool> {
    let written = parts
        .iter()
        .try_for_each(|part| out.write_all(part))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}

/// The connection, non-blocking, with a poll to wait on it.
struct Connection {
    stream: TcpStream,
    poll: Poll,
    events: Events,
}

impl Connection {
    fn new(stream: std::net::TcpStream) -> io::Result<Self> {
        let mut stream = TcpStream::from_std(stream);
        let poll = Poll::new()?;
        poll.registry().register(
            &mut stream,
            Token(0),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        Ok(Connection {
            stream,
            poll,
            events: Events::with_capacity(4),
        })
    }

    /// Sends `line` and reads its reply while it sends: as many bytes as
    /// were sent, however split. (The server replies as it reads and stops
    /// reading when its replies pile up unread: a client that sent a long
    /// line whole before reading would wait for it forever.)
    fn exchange(&mut self, line: &[u8]) -> Result<Vec<u8>, ClientError> {
        let mut reply = vec![0u8; line.len()];
        let (mut sent, mut got) = (0, 0);
        loop {
            // Each side until the kernel says "would block": the poll is
            // edge-triggered.
            while sent < line.len() {
                match self.stream.write(&line[sent..]) {
                    Ok(0) => return Err(ClientError::Closed),
                    Ok(n) => sent += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                        return Err(ClientError::Closed);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            while got < reply.len() {
                match self.stream.read(&mut reply[got..]) {
                    Ok(0) => return Err(ClientError::Closed),
                    Ok(n) => got += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if got == reply.len() {
                return Ok(reply);
            }
            match self.poll.poll(&mut self.events, Some(REPLY_PATIENCE)) {
                Ok(()) if self.events.is_empty() => {
                    return Err(io::Error::from(ErrorKind::TimedOut).into());
                }
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}
