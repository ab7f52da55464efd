//! Where the room's laptops reach the server: listening beyond loopback
//! (`--addr 0.0.0.0:8080`), the addresses of this machine's interfaces,
//! the likeliest first. Read once when the server starts, never while
//! drawing; they travel with `listening`, so a replay or a stream from
//! another machine shows the addresses of the machine that served.

use std::net::IpAddr;

use crate::event::Reach;

/// At most this many addresses are said.
pub const REACH_CAP: usize = 16;

/// Interfaces that are the machine's own plumbing (containers, virtual
/// machines, bridges): reachable from this machine, rarely from a
/// student's laptop. They come last.
const VIRTUAL: &[&str] = &[
    "docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "lxcbr", "lxdbr", "podman", "cni",
    "flannel", "cali",
];

/// The addresses a server listening on `listen` is reached at from
/// elsewhere: none on loopback; the address itself when it is one of the
/// machine's; every interface's for `0.0.0.0` (IPv4) or `::` (both).
pub fn reachable(listen: IpAddr) -> Vec<Reach> {
    if listen.is_loopback() {
        return Vec::new();
    }
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    choose(
        listen,
        interfaces
            .iter()
            .filter(|i| i.is_oper_up() || i.oper_status == if_addrs::IfOperStatus::Unknown)
            .map(|i| (i.ip(), i.name.as_str())),
    )
}

/// [`reachable`] from a list of (address, interface name).
pub fn choose<'a>(
    listen: IpAddr,
    interfaces: impl IntoIterator<Item = (IpAddr, &'a str)>,
) -> Vec<Reach> {
    let interfaces: Vec<(IpAddr, &str)> = interfaces.into_iter().collect();
    if listen.is_loopback() {
        return Vec::new();
    }
    if !listen.is_unspecified() {
        // One address: the one asked for.
        let iface = interfaces
            .iter()
            .find(|(ip, _)| *ip == listen)
            .map_or("", |(_, name)| name);
        return vec![Reach {
            ip: listen.to_string(),
            iface: iface.to_string(),
        }];
    }
    let mut found: Vec<(IpAddr, &str)> = interfaces
        .into_iter()
        .filter(|(ip, _)| !ip.is_loopback() && !ip.is_unspecified() && !ip.is_multicast())
        // 0.0.0.0 is IPv4's only; `::` takes both (Linux's default).
        .filter(|(ip, _)| listen.is_ipv6() || ip.is_ipv4())
        // fe80:: needs a %scope nobody types in a lecture.
        .filter(|(ip, _)| !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()))
        .collect();
    // The real network first, IPv4 before IPv6; otherwise as the system
    // lists them.
    found.sort_by_key(|(ip, name)| (VIRTUAL.iter().any(|v| name.starts_with(v)), ip.is_ipv6()));
    found.dedup_by_key(|(ip, _)| *ip);
    found
        .into_iter()
        .take(REACH_CAP)
        .map(|(ip, name)| Reach {
            ip: ip.to_string(),
            iface: name.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(reach: &[Reach]) -> Vec<(&str, &str)> {
        reach
            .iter()
            .map(|r| (r.ip.as_str(), r.iface.as_str()))
            .collect()
    }

    const MACHINE: &[(&str, &str)] = &[
        ("127.0.0.1", "lo"),
        ("::1", "lo"),
        ("172.17.0.1", "docker0"),
        ("192.168.1.23", "wlan0"),
        ("fe80::1", "wlan0"),
        ("fd00::2", "wlan0"),
        ("10.8.0.2", "tun0"),
    ];

    fn machine() -> impl Iterator<Item = (IpAddr, &'static str)> {
        MACHINE
            .iter()
            .map(|(ip, name)| (ip.parse().unwrap(), *name))
    }

    #[test]
    fn loopback_says_nothing() {
        assert!(choose("127.0.0.1".parse().unwrap(), machine()).is_empty());
        assert!(choose("::1".parse().unwrap(), machine()).is_empty());
        assert!(reachable("127.0.0.1".parse().unwrap()).is_empty());
    }

    #[test]
    fn every_address_but_loopback_the_real_network_first() {
        assert_eq!(
            ips(&choose("0.0.0.0".parse().unwrap(), machine())),
            [
                ("192.168.1.23", "wlan0"),
                ("10.8.0.2", "tun0"),
                ("172.17.0.1", "docker0")
            ],
            "IPv4 only, the container bridge last"
        );
        assert_eq!(
            ips(&choose("::".parse().unwrap(), machine())),
            [
                ("192.168.1.23", "wlan0"),
                ("10.8.0.2", "tun0"),
                ("fd00::2", "wlan0"),
                ("172.17.0.1", "docker0")
            ],
            "both, IPv6 after IPv4, no link-local"
        );
    }

    #[test]
    fn one_address_asked_for_is_the_one() {
        assert_eq!(
            ips(&choose("192.168.1.23".parse().unwrap(), machine())),
            [("192.168.1.23", "wlan0")]
        );
    }
}
