//! The few operating-system readings ioscope needs that std does not offer:
//! a thread's CPU time, the process's resident memory, the descriptor limit.
//! The only module allowed `unsafe`, each block a single libc call.
#![allow(unsafe_code)]

/// CPU time a thread has used, in microseconds, split into user and kernel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    pub user_us: u64,
    pub sys_us: u64,
}

impl CpuTime {
    pub fn total_us(self) -> u64 {
        self.user_us + self.sys_us
    }

    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user_us: self.user_us.saturating_sub(earlier.user_us),
            sys_us: self.sys_us.saturating_sub(earlier.sys_us),
        }
    }
}

/// Whether `thread_cpu` splits user and kernel time (Linux) or reports the
/// total only (elsewhere, as `user_us`).
pub const CPU_SPLIT: bool = cfg!(target_os = "linux");

/// The calling thread's CPU time so far.
#[cfg(target_os = "linux")]
pub fn thread_cpu() -> CpuTime {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a full `rusage` into the pointer we pass.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, ru.as_mut_ptr()) };
    if rc != 0 {
        return CpuTime::default();
    }
    // SAFETY: rc == 0, so the kernel filled the struct (and it was zeroed).
    let ru = unsafe { ru.assume_init() };
    let us = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64;
    CpuTime {
        user_us: us(ru.ru_utime),
        sys_us: us(ru.ru_stime),
    }
}

/// The calling thread's CPU time so far (total only, reported as user).
#[cfg(all(unix, not(target_os = "linux")))]
pub fn thread_cpu() -> CpuTime {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the pointer we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return CpuTime::default();
    }
    CpuTime {
        user_us: ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000,
        sys_us: 0,
    }
}

#[cfg(not(unix))]
pub fn thread_cpu() -> CpuTime {
    CpuTime::default()
}

/// This process's virtual size in bytes (Linux: /proc/self/statm): every
/// thread's reserved stack counts, touched or not.
pub fn vm_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    Some(pages * page_size())
}

/// Connection attempts the kernel dropped because a listen queue was full,
/// since boot, for the whole system (Linux: `TcpExt: ListenOverflows` in
/// /proc/net/netstat).
pub fn listen_overflows() -> Option<u64> {
    let netstat = std::fs::read_to_string("/proc/net/netstat").ok()?;
    netstat_field(&netstat, "TcpExt:", "ListenOverflows")
}

/// A field of /proc/net/netstat: a line of names, then a line of values,
/// both starting with `section`.
fn netstat_field(text: &str, section: &str, name: &str) -> Option<u64> {
    let mut lines = text.lines().filter(|l| l.starts_with(section));
    let names = lines.next()?;
    let values = lines.next()?;
    let at = names.split_whitespace().position(|n| n == name)?;
    values.split_whitespace().nth(at)?.parse().ok()
}

/// Resident set size of this process in bytes (Linux: /proc/self/statm).
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

#[cfg(unix)]
fn page_size() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as u64 } else { 4096 }
}

#[cfg(not(unix))]
fn page_size() -> u64 {
    4096
}

/// Raises the soft RLIMIT_NOFILE to the hard limit, so a thousand clients
/// fit. Returns the soft limit now in force.
#[cfg(unix)]
pub fn raise_fd_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the pointer we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    if lim.rlim_cur < lim.rlim_max {
        let want = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit reads one rlimit from the pointer we pass.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        }
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
    Some(lim.rlim_cur as u64)
}

#[cfg(not(unix))]
pub fn raise_fd_limit() -> Option<u64> {
    None
}

/// Threads in this process (Linux: /proc/self/status).
pub fn process_threads() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// Pins the calling thread to CPU `cpu` (threads it starts afterwards
/// inherit it). For benchmarks that put a server and its watchers on one
/// core and the load on another. Linux only; elsewhere `Unsupported`.
#[cfg(target_os = "linux")]
pub fn pin_thread(cpu: usize) -> std::io::Result<()> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(std::io::Error::from(std::io::ErrorKind::InvalidInput));
    }
    // SAFETY: an all-zero cpu_set_t (plain integers) is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE: the bit lies inside the set.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: the kernel reads one cpu_set_t of the size we pass.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn pin_thread(_cpu: usize) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The calling thread's context switches so far: (voluntary, involuntary)
/// (Linux: /proc/thread-self/status). A thread that sleeps in a system
/// call switches voluntarily; one preempted by another, involuntarily.
pub fn thread_switches() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/thread-self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .trim()
            .parse()
            .ok()
    };
    Some((
        field("voluntary_ctxt_switches:")?,
        field("nonvoluntary_ctxt_switches:")?,
    ))
}

/// A TCP socket's TCP_INFO (Linux). `fd` must stay open meanwhile.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tcp_info(fd: std::os::fd::RawFd) -> Option<libc::tcp_info> {
    let mut info = std::mem::MaybeUninit::<libc::tcp_info>::zeroed();
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into the zeroed struct.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            info.as_mut_ptr().cast(),
            &mut len,
        )
    };
    // SAFETY: zeroed, then (partly) filled by the kernel: every field valid.
    (rc == 0).then(|| unsafe { info.assume_init() })
}

/// A listening socket's accept queue: connections the kernel completed that
/// nobody accepted yet, and the queue's limit (Linux: TCP_INFO, where a
/// listener reports them as `tcpi_unacked` and `tcpi_sacked`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn listen_queue(listener: &std::net::TcpListener) -> Option<(u32, u32)> {
    use std::os::fd::AsRawFd;
    let info = tcp_info(listener.as_raw_fd())?;
    Some((info.tcpi_unacked, info.tcpi_sacked))
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn listen_queue(_listener: &std::net::TcpListener) -> Option<(u32, u32)> {
    None
}

/// A connected socket's kernel queues: the bytes it received that the
/// application has not read yet (`SIOCINQ`), and the bytes it sent that
/// the peer's kernel has not acknowledged yet (`SIOCOUTQ`). `None` when
/// the descriptor says no (not a connected socket). `fd` must be open for
/// the whole call: the caller keeps it from being closed meanwhile.
#[cfg(target_os = "linux")]
pub fn socket_queues(fd: std::os::fd::RawFd) -> Option<(u32, u32)> {
    let mut inq: libc::c_int = 0;
    let mut outq: libc::c_int = 0;
    // SAFETY: SIOCINQ (FIONREAD) and SIOCOUTQ (TIOCOUTQ) write one int
    // into the pointer we pass; a bad descriptor is an error, not UB.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut inq) };
    if rc != 0 {
        return None;
    }
    // SAFETY: as above.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut outq) };
    if rc != 0 {
        return None;
    }
    Some((inq.max(0) as u32, outq.max(0) as u32))
}

/// Milliseconds since a TCP socket last received data — for a socket
/// that received none, since the kernel completed its handshake (Linux:
/// `tcpi_last_data_recv` of TCP_INFO). `fd` must stay open meanwhile.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn quiet_ms(fd: std::os::fd::RawFd) -> Option<u32> {
    tcp_info(fd).map(|info| info.tcpi_last_data_recv)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn quiet_ms(_fd: std::os::fd::RawFd) -> Option<u32> {
    None
}

/// A connected socket's kernel queues: the bytes it received that the
/// application has not read yet (`FIONREAD`); what it sent and the peer
/// has not taken is not read here (0).
#[cfg(all(unix, not(target_os = "linux")))]
pub fn socket_queues(fd: std::os::fd::RawFd) -> Option<(u32, u32)> {
    let mut inq: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int into the pointer we pass.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut inq) };
    (rc == 0).then_some((inq.max(0) as u32, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_netstat_field_is_found_by_its_name() {
        let text = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n\
                    TcpExt: 1 3767 3800\n\
                    IpExt: InNoRoutes\n\
                    IpExt: 0\n";
        assert_eq!(
            netstat_field(text, "TcpExt:", "ListenOverflows"),
            Some(3767)
        );
        assert_eq!(netstat_field(text, "TcpExt:", "Nothing"), None);
        assert_eq!(netstat_field(text, "IpExt:", "InNoRoutes"), Some(0));
        #[cfg(target_os = "linux")]
        {
            assert!(listen_overflows().is_some());
            assert!(vm_bytes().unwrap() >= rss_bytes().unwrap());
        }
    }

    #[test]
    fn thread_cpu_grows_when_the_thread_works() {
        let before = thread_cpu();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(30) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        std::hint::black_box(x);
        assert!(thread_cpu().since(before).total_us() > 0);
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn the_listen_queue_counts_connections_not_yet_accepted() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert_eq!(listen_queue(&listener).unwrap().0, 0);
        let addr = listener.local_addr().unwrap();
        let _a = std::net::TcpStream::connect(addr).unwrap();
        let _b = std::net::TcpStream::connect(addr).unwrap();
        assert_eq!(listen_queue(&listener).unwrap().0, 2);
        let _ = listener.accept().unwrap();
        assert_eq!(listen_queue(&listener).unwrap().0, 1);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn rss_is_read() {
        assert!(rss_bytes().unwrap() > 1024 * 1024);
    }
}
