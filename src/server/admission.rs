//! Who gets in: `--max-conns` clients at once, and (when set)
//! `--max-conns-per-ip` of them from any one IP address, so that one host
//! opening thousands of idle connections cannot lock everyone else out.
//! A client beyond either is accepted and closed at once (`refused`): a FIN,
//! never a hang.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use super::Limits;
use crate::event::Refuse;
use crate::probe::Probe;

/// Clients connected from each address.
type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// Decides whether an accepted client is served. Clones share the counts
/// (the thread models admit on one thread and let go on others).
#[derive(Debug, Clone)]
pub(crate) struct Admission {
    max_conns: usize,
    per_ip: Option<usize>,
    counts: Counts,
}

impl Admission {
    pub fn new(limits: &Limits) -> Self {
        Admission {
            max_conns: limits.max_conns.max(1),
            per_ip: limits.max_conns_per_ip.map(|n| n.max(1)),
            counts: Counts::default(),
        }
    }

    /// A client from `peer` while `connected` clients are served: its
    /// place, held until dropped; or `None`, after reporting it `refused`
    /// (the caller then drops the socket, which closes it).
    pub fn admit(
        &self,
        peer: SocketAddr,
        connected: usize,
        probe: &mut impl Probe,
    ) -> Option<Place> {
        if connected >= self.max_conns {
            probe.refused(peer, Refuse::MaxConns, self.max_conns as u64);
            return None;
        }
        let Some(limit) = self.per_ip else {
            return Some(Place(None));
        };
        // An IPv4 client of a server on `[::]` counts as its IPv4 address.
        let ip = peer.ip().to_canonical();
        let mut counts = lock(&self.counts);
        let n = counts.entry(ip).or_insert(0);
        if *n >= limit {
            probe.refused(peer, Refuse::MaxConnsPerIp, limit as u64);
            return None;
        }
        *n += 1;
        Some(Place(Some((Arc::clone(&self.counts), ip))))
    }
}

/// An admitted client's place among its address's: given back on drop.
#[derive(Debug)]
pub(crate) struct Place(Option<(Counts, IpAddr)>);

impl Drop for Place {
    fn drop(&mut self) {
        let Some((counts, ip)) = self.0.take() else {
            return;
        };
        let mut counts = lock(&counts);
        if let Some(n) = counts.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&ip);
            }
        }
    }
}

fn lock(counts: &Counts) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
    counts.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusals the probe was told of.
    #[derive(Default)]
    struct Refusals(Vec<(Refuse, u64)>);

    impl Probe for Refusals {
        fn refused(&mut self, _peer: SocketAddr, why: Refuse, limit: u64) {
            self.0.push((why, limit));
        }
    }

    fn peer(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_address_has_its_own_limit_and_a_place_is_given_back_on_drop() {
        let door = Admission::new(&Limits {
            max_conns_per_ip: Some(2),
            ..Limits::default()
        });
        let mut told = Refusals::default();
        let a1 = door.admit(peer("127.0.0.1:1000"), 0, &mut told);
        let a2 = door.admit(peer("127.0.0.1:1001"), 1, &mut told);
        assert!(a1.is_some() && a2.is_some());
        // The port does not matter; the address does.
        assert!(door.admit(peer("127.0.0.1:1002"), 2, &mut told).is_none());
        let b = door.admit(peer("127.0.0.2:1000"), 2, &mut told);
        assert!(b.is_some());
        // An IPv4-mapped address is that IPv4 address.
        assert!(
            door.admit(peer("[::ffff:127.0.0.1]:1003"), 3, &mut told)
                .is_none()
        );
        assert_eq!(told.0, [(Refuse::MaxConnsPerIp, 2); 2]);
        drop(a1);
        assert!(door.admit(peer("127.0.0.1:1004"), 2, &mut told).is_some());
        drop((a2, b));
        assert!(
            lock(&door.counts).is_empty(),
            "nothing kept for addresses gone"
        );
    }

    #[test]
    fn the_overall_limit_comes_first_and_no_per_ip_limit_counts_nothing() {
        let door = Admission::new(&Limits {
            max_conns: 3,
            ..Limits::default()
        });
        let mut told = Refusals::default();
        let places: Vec<_> = (0..3)
            .map(|i| door.admit(peer("127.0.0.1:1000"), i, &mut told))
            .collect();
        assert!(places.iter().all(Option::is_some));
        assert!(lock(&door.counts).is_empty());
        assert!(door.admit(peer("127.0.0.1:1000"), 3, &mut told).is_none());
        assert_eq!(told.0, [(Refuse::MaxConns, 3)]);
    }
}
