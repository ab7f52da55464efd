//! `ioscope client`: the lecture's client. Reads a line, sends it, prints
//! the reply; `>>>:` as the prompt when a person types.

use std::fmt;
use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

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
pub fn run(
    addr: SocketAddr,
    input: impl BufRead,
    out: &mut impl Write,
    prompt: bool,
) -> Result<(), ClientError> {
    let mut stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
        .map_err(|e| ClientError::Connect(addr, e))?;
    stream.set_read_timeout(Some(REPLY_PATIENCE))?;
    let mut lines = input.split(b'\n');
    loop {
        if prompt {
            out.write_all(b">>>:")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else {
            break;
        };
        let mut line = line?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.is_empty() {
            continue;
        }
        stream.write_all(&line)?;
        let mut reply = vec![0u8; line.len()];
        read_reply(&mut stream, &mut reply)?;
        out.write_all(&reply)?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    if prompt {
        out.write_all(b"\n")?;
    }
    // EOF (Ctrl-D): say goodbye with a FIN, not a reset.
    let _ = stream.shutdown(Shutdown::Write);
    Ok(())
}

/// Reads exactly one reply: as many bytes as were sent, however split.
fn read_reply(stream: &mut TcpStream, reply: &mut [u8]) -> Result<(), ClientError> {
    let mut got = 0;
    while got < reply.len() {
        match stream.read(&mut reply[got..]) {
            Ok(0) => return Err(ClientError::Closed),
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
