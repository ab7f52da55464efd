//! Words for what the server reports as codes: roles, reasons, notes. The
//! server and the event stream stay language-neutral; wording happens here.

use super::fmt;
use crate::event::{ClientRole, Evict, Refuse, ResetNote, Role};

/// What a server thread is for.
pub fn role(role: Role, conn: Option<crate::event::ConnId>) -> String {
    match role {
        Role::BusyLoop => "the whole server, never waiting".into(),
        Role::PollLoop => "the whole server, asleep in poll".into(),
        Role::AcceptAndServe => "accept, then serve that client".into(),
        Role::AcceptSpawn => "accept, start a thread per client".into(),
        Role::AcceptQueue => "accept, queue for the pool".into(),
        Role::Client => match conn {
            Some(c) => format!("serves #{c}"),
            None => "serves one client".into(),
        },
        Role::Worker => "pool worker".into(),
    }
}

/// A built-in client's role, as its row shows it.
pub fn client_role(role: ClientRole) -> &'static str {
    match role {
        ClientRole::Chatty => "chatty",
        ClientRole::Idle => "idle",
    }
}

/// Why the server dropped a client.
pub fn evicted(why: Evict, limit_bytes: Option<u64>, stall_ms: u64) -> String {
    let secs = stall_ms as f64 / 1000.0;
    match why {
        Evict::Stalled => format!(
            "{} of replies unread for {secs} s",
            fmt::bytes(limit_bytes.unwrap_or(0))
        ),
        Evict::SendTimeout => format!("replies unread for {secs} s (send timed out)"),
    }
}

/// Why the server turned a client away.
pub fn refused(why: Refuse, limit: u64) -> String {
    match why {
        Refuse::MaxConns => format!("{limit} clients already (--max-conns)"),
    }
}

/// What a reset's note adds.
pub fn reset_note(note: ResetNote) -> &'static str {
    match note {
        ResetNote::ListingCrashes => "the listing crashes here",
        ResetNote::NoThread => "no thread for it",
    }
}
