//! What reading the kernel's queues costs (`kernel_queues`): 5,000
//! loopback connections, both ends registered — 10,000 sockets — read by
//! the sampler's own code (`ioscope::server::kernel`), as the sampler
//! thread reads them a few times a second and at every park.
//!
//! Printed: the time of one pass (two ioctls per socket, `SIOCINQ` and
//! `SIOCOUTQ`, 64 sockets per hold of the registry's lock) and of a whole
//! reading (the pass and the comparison with the last one), all idle and
//! with 1,000 of them holding bytes; the connections reported each time
//! (0 when nothing changed); and what a model's accept or close (one
//! register and unregister) waits for meanwhile, at worst, while another
//! thread reads the registry without pause. Medians of 31 passes.
//!
//! Run with `cargo bench --bench kernel_queues`. Only 127.0.0.1 is used.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ioscope::server::kernel::{Queues, Registry, Sampler, Watch};

const PAIRS: usize = 5_000;
const PASSES: usize = 31;
const WITH_DATA: usize = 1_000;

fn main() {
    let limit = ioscope::sys::raise_fd_limit();
    println!(
        "ioscope kernel_queues: reading SIOCINQ/SIOCOUTQ of {} sockets",
        PAIRS * 2
    );
    println!("  descriptor limit {limit:?}; {PAIRS} loopback connections, both ends registered");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let registry = Registry::new();
    let mut sockets: Vec<(Watch, Watch, TcpStream, TcpStream)> = Vec::with_capacity(PAIRS);
    for i in 0..PAIRS as u64 {
        let client = TcpStream::connect(addr).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        let a = registry.watch(2 * i + 1, &server);
        let b = registry.watch(2 * i + 2, &client);
        sockets.push((a, b, server, client));
    }
    assert_eq!(registry.len(), PAIRS * 2);

    let mut out: Vec<Queues> = Vec::new();
    let pass = median(|| {
        let start = Instant::now();
        registry.read_all(&mut out);
        start.elapsed()
    });
    assert_eq!(out.len(), PAIRS * 2, "every socket read");
    println!(
        "  one pass over {} idle sockets:        {}",
        out.len(),
        show(pass)
    );

    let mut sampler = Sampler::new(Arc::clone(&registry));
    let mut reported = 0;
    let idle = median(|| {
        let start = Instant::now();
        reported = sampler.read().len();
        sampler.reported();
        start.elapsed()
    });
    println!(
        "  a reading, all idle (pass + compare):  {}  reported {reported}",
        show(idle)
    );

    // 1,000 clients send 6 bytes the server has not read.
    for (_, _, _, client) in sockets.iter_mut().take(WITH_DATA) {
        client.write_all(b"hello\n").unwrap();
    }
    let start = Instant::now();
    let first = sampler.read().len();
    let changed = start.elapsed();
    sampler.reported();
    println!(
        "  the reading after {WITH_DATA} got data:       {}  reported {first}",
        show(changed)
    );
    let steady = median(|| {
        let start = Instant::now();
        reported = sampler.read().len();
        sampler.reported();
        start.elapsed()
    });
    println!(
        "  a reading, nothing changed since:      {}  reported {reported}",
        show(steady)
    );

    let extra_client = TcpStream::connect(addr).unwrap();
    let (extra, _) = listener.accept().unwrap();
    let alone = register_and_unregister(&registry, &extra, 1_000_000);
    println!(
        "  register + unregister, nobody reading: median {}, p99 {}, max {}",
        show(alone[alone.len() / 2]),
        show(alone[alone.len() * 99 / 100]),
        show(*alone.last().unwrap())
    );
    // A model registers and unregisters while the sampler reads on and on.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (registry, stop) = (Arc::clone(&registry), Arc::clone(&stop));
        thread::spawn(move || {
            let mut out = Vec::new();
            let mut passes = 0u64;
            while !stop.load(Ordering::Relaxed) {
                registry.read_all(&mut out);
                passes += 1;
            }
            passes
        })
    };
    let waits = register_and_unregister(&registry, &extra, 2_000_000);
    stop.store(true, Ordering::Relaxed);
    let passes = reader.join().unwrap();
    println!(
        "  register + unregister during {passes} back-to-back passes: median {}, p99 {}, max {}",
        show(waits[waits.len() / 2]),
        show(waits[waits.len() * 99 / 100]),
        show(*waits.last().unwrap())
    );
    drop(extra_client);
}

/// What registering and unregistering one socket takes, over and over for
/// a second, sorted.
fn register_and_unregister(registry: &Arc<Registry>, sock: &TcpStream, from: u64) -> Vec<Duration> {
    let mut waits = Vec::new();
    let until = Instant::now() + Duration::from_secs(2);
    let mut id = from;
    while Instant::now() < until {
        id += 1;
        let start = Instant::now();
        let watch = registry.watch(id, sock);
        drop(watch);
        waits.push(start.elapsed());
        thread::yield_now();
    }
    waits.sort();
    waits
}

fn median(mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..PASSES).map(|_| f()).collect();
    times.sort();
    times[PASSES / 2]
}

fn show(d: Duration) -> String {
    if d >= Duration::from_millis(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    }
}
