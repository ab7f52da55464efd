//! The swarm's messages, made on the fly. A message is a few numbers; its
//! bytes are generated when they are sent and generated again when its
//! reply is checked, so a client holds no copy of either, whatever the
//! size: 200 clients of 64 MiB messages cost what 200 clients of 64 bytes
//! do.

/// One message: `len` bytes that any part of can be made again from these
/// numbers alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    len: u64,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Readable text, numbered.
    Text { client: usize, n: u64 },
    /// Random bytes: NUL, 0xff, invalid UTF-8, …
    Random { seed: u64, client: usize, n: u64 },
    /// A fixed line and its newline.
    Line(&'static str),
}

const LETTERS: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";

impl Message {
    /// `client 3 message 7 ` then lower-case letters up to `len` bytes, so
    /// the reply visibly differs.
    pub fn text(client: usize, n: u64, len: usize) -> Self {
        Message {
            len: len as u64,
            kind: Kind::Text { client, n },
        }
    }

    /// `len` random bytes, the same for the same seed, client and number.
    pub fn random(seed: u64, client: usize, n: u64, len: usize) -> Self {
        Message {
            len: len as u64,
            kind: Kind::Random { seed, client, n },
        }
    }

    /// `line` and a newline.
    pub fn line(line: &'static str) -> Self {
        Message {
            len: line.len() as u64 + 1,
            kind: Kind::Line(line),
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes bytes `offset .. offset + buf.len()` of the message to `buf`
    /// (which must not reach past its end).
    pub fn fill(&self, offset: u64, buf: &mut [u8]) {
        debug_assert!(offset + buf.len() as u64 <= self.len);
        match self.kind {
            Kind::Text { client, n } => {
                let prefix = format!("client {client} message {n} ");
                fill_then(prefix.as_bytes(), LETTERS, offset, buf);
            }
            Kind::Random { seed, client, n } => fill_random(seed, client, n, offset, buf),
            Kind::Line(line) => fill_then(line.as_bytes(), b"\n", offset, buf),
        }
    }

    /// The whole message (for tests and small messages).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.len as usize];
        self.fill(0, &mut v);
        v
    }
}

/// Bytes `offset ..` of `head` followed by `tail` repeated.
fn fill_then(head: &[u8], tail: &[u8], offset: u64, buf: &mut [u8]) {
    let mut rest = buf;
    let mut at = offset;
    if at < head.len() as u64 {
        let from = &head[at as usize..];
        let take = from.len().min(rest.len());
        rest[..take].copy_from_slice(&from[..take]);
        rest = &mut rest[take..];
        at += take as u64;
    }
    let mut i = (at.saturating_sub(head.len() as u64) % tail.len() as u64) as usize;
    while !rest.is_empty() {
        let take = (tail.len() - i).min(rest.len());
        rest[..take].copy_from_slice(&tail[i..i + take]);
        rest = &mut rest[take..];
        i = 0;
    }
}

/// Eight bytes a word, each word a splitmix64 of the message's key and the
/// word's place: any part is made without the parts before it.
fn fill_random(seed: u64, client: usize, n: u64, offset: u64, buf: &mut [u8]) {
    let key = mix(seed ^ mix(client as u64 ^ mix(n)));
    let mut word = offset / 8;
    let mut skip = (offset % 8) as usize;
    let mut rest = buf;
    while !rest.is_empty() {
        let bytes = mix(key.wrapping_add(word.wrapping_mul(GOLDEN))).to_le_bytes();
        let take = (8 - skip).min(rest.len());
        rest[..take].copy_from_slice(&bytes[skip..skip + take]);
        rest = &mut rest[take..];
        word += 1;
        skip = 0;
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// splitmix64's step: a well-mixed word from any word.
fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_before() {
        assert_eq!(
            Message::text(3, 7, 30).to_vec(),
            b"client 3 message 7 abcdefghijk"
        );
        assert_eq!(Message::text(3, 7, 6).to_vec(), b"client");
        let long = Message::text(0, 1, 100).to_vec();
        assert_eq!(&long[19..47], b"abcdefghijklmnopqrstuvwxyzab");
    }

    #[test]
    fn any_part_is_made_the_same_as_in_the_whole() {
        assert_eq!(Message::line("ping").to_vec(), b"ping\n");
        for msg in [
            Message::text(12, 345, 1000),
            Message::random(7, 12, 345, 1000),
            Message::line("ni hao 你好"),
        ] {
            let whole = msg.to_vec();
            let len = whole.len();
            for (from, to) in [(0, 1), (0, len), (3, 9), (9, 10), (10, len), (len - 1, len)] {
                let mut part = vec![0; to - from];
                msg.fill(from as u64, &mut part);
                assert_eq!(part, whole[from..to], "{msg:?} {from}..{to}");
            }
        }
    }

    #[test]
    fn random_bytes_differ_by_seed_client_and_number_and_include_the_awkward_ones() {
        let a = Message::random(1, 0, 1, 4096).to_vec();
        assert_ne!(a, Message::random(2, 0, 1, 4096).to_vec());
        assert_ne!(a, Message::random(1, 1, 1, 4096).to_vec());
        assert_ne!(a, Message::random(1, 0, 2, 4096).to_vec());
        assert_eq!(a, Message::random(1, 0, 1, 4096).to_vec());
        let big = Message::random(1, 0, 1, 65_536).to_vec();
        assert!(big.contains(&0) && big.contains(&0xff) && big.contains(&b'\n'));
        assert!(std::str::from_utf8(&big).is_err());
    }
}
