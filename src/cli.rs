//! The command line.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use std::time::Duration;

use crate::app::{Look, Theme};
use crate::client::swarm::{Scene, SwarmConfig};
use crate::i18n::Lang;
use crate::server::{DEFAULT_BACKLOG, DEFAULT_MAX_CONNS, DEFAULT_WORKERS, Model};

#[derive(Debug, Parser)]
#[command(
    name = "ioscope",
    version,
    about = "An oscilloscope for socket IO models: watch a real server loop spin.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `ioscope` alone is `ioscope serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server and open the dashboard (the default).
    Serve(ServeArgs),
    /// The lecture's client: send each line you type, print the reply.
    Client(ClientArgs),
    /// Many scripted clients against a server; every reply is checked.
    Swarm(SwarmArgs),
    /// Read a recording made with `serve --record FILE`.
    Replay(ReplayArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The recording; `-` follows a stream on stdin (a recording, or
    /// `serve --headless` piped in, e.g. through ssh).
    pub file: PathBuf,
    /// Print the session in a few lines (duration, models, connections,
    /// messages, resets, peaks, markers, dropped events) and exit.
    #[arg(long, conflicts_with = "cast")]
    pub summary: bool,
    /// The lecturer's notes: one a line, `m:ss.s [pause] text` (default:
    /// the recording's name with `.notes`, if there is one).
    #[arg(long, value_name = "FILE")]
    pub notes: Option<PathBuf>,
    /// Render the whole replay into an asciicast v2 file (for `asciinema
    /// play` and the asciinema web player), as fast as it draws, and exit.
    #[arg(long, value_name = "OUT.cast")]
    pub cast: Option<PathBuf>,
    #[command(flatten)]
    pub screen: ScreenArgs,
    /// The cast's screen, COLUMNSxROWS (40x12 to 400x200).
    #[arg(long, default_value = "120x36", value_parser = parse_size, requires = "cast")]
    pub size: (u16, u16),
}

/// How the screen looks, for `serve` and `replay` alike.
#[derive(Debug, Clone, Args)]
pub struct ScreenArgs {
    /// The screen's language: en or zh (default: the locale's, from
    /// LANGUAGE / LC_ALL / LC_MESSAGES / LANG; `L` switches live).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// The screen's colours: dark, light (a white background, a washed-out
    /// projector) or high-contrast (colour-blind safe); `T` switches live.
    #[arg(long, value_enum, default_value = "dark")]
    pub theme: Theme,
    /// Plain ASCII on screen: no box drawing, block digits or braille, for
    /// terminals and fonts that lack them (the layout stays the same).
    #[arg(long)]
    pub ascii: bool,
}

impl ScreenArgs {
    /// The look asked for, the language defaulting to the locale's and
    /// `NO_COLOR` read from the environment.
    pub fn look(&self) -> Look {
        Look {
            lang: self.lang.unwrap_or_else(Lang::from_env),
            theme: self.theme,
            ascii: self.ascii,
            no_color: Look::no_color_in_env(),
        }
    }
}

/// `en` or `zh`.
fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::SPOKEN
        .into_iter()
        .find(|l| l.code() == s.to_ascii_lowercase())
        .ok_or_else(|| format!("\"{s}\" is not a language here: en or zh"))
}

/// `120x36`: columns and rows of a cast's screen.
fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("\"{s}\" is not a size: COLUMNSxROWS, e.g. 120x36");
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (w, h): (u16, u16) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(40..=400).contains(&w) || !(12..=200).contains(&h) {
        return Err(format!("{w}x{h} is out of range: 40x12 to 400x200"));
    }
    Ok((w, h))
}

#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// The server, HOST:PORT.
    #[arg(default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    pub addr: SocketAddr,
}

#[derive(Debug, Clone, Args)]
pub struct SwarmArgs {
    /// The server, HOST:PORT.
    #[arg(default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    pub addr: SocketAddr,
    /// How many clients.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub clients: u64,
    /// Messages per client, at least 1 (connections per client for churn
    /// and reset).
    #[arg(long, default_value_t = 10, value_parser = parse_at_least_one)]
    pub messages: u64,
    /// Bytes per message, 1 to 64MiB (K, KiB, M, MiB allowed: 64K, 1MiB).
    /// Made as they are sent and made again to check the reply, never held:
    /// memory does not grow with the size.
    #[arg(long, default_value = "64", value_name = "BYTES", value_parser = parse_message_size)]
    pub size: u64,
    /// Pause between a reply and the next message, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub interval: u64,
    /// The run ends after this many seconds at the latest.
    #[arg(long, default_value = "10", value_name = "S", value_parser = parse_seconds)]
    pub duration: Duration,
    /// What the clients do.
    #[arg(long, value_enum, default_value = "chatty")]
    pub scene: Scene,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Seed for the random bytes of the binary scene.
    #[arg(long, default_value_t = 0x10_5c0be)]
    pub seed: u64,
}

impl SwarmArgs {
    pub fn config(&self) -> SwarmConfig {
        SwarmConfig {
            addr: self.addr,
            clients: self.clients as usize,
            messages: self.messages,
            size: self.size as usize,
            interval: Duration::from_millis(self.interval),
            duration: self.duration,
            scene: self.scene,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub screen: ScreenArgs,

    /// Where to listen, HOST:PORT. Port 0 picks any free port (the dashboard
    /// shows the real one). Anything but loopback is shown with a warning,
    /// and the addresses the room's laptops reach it at.
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    pub addr: SocketAddr,

    /// The IO model to start with (`m` on the dashboard cycles them).
    #[arg(long, value_enum, default_value = "nonblocking")]
    pub model: Model,

    /// Worker threads of the `pool` model.
    #[arg(long, default_value_t = DEFAULT_WORKERS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub workers: usize,

    /// The listen() backlog: how many connections the kernel queues before
    /// the server accepts them. The lecture uses 5.
    #[arg(long, default_value_t = DEFAULT_BACKLOG, value_parser = clap::value_parser!(i32).range(1..=65535))]
    pub backlog: i32,

    /// Replies kept for a client that does not read, per client: bytes, or
    /// with a unit (64K, 1M).
    #[arg(long, default_value = "1M", value_name = "BYTES", value_parser = parse_pending_cap)]
    pub pending_cap: usize,

    /// Replies kept for all clients together, in bytes (`nonblocking`,
    /// `multiplex`): from three quarters of it the server stops reading
    /// from clients with replies waiting, and it never holds more.
    #[arg(long, default_value = "64M", value_name = "BYTES", value_parser = parse_pending_total)]
    pub pending_total: usize,

    /// A client whose replies sit unread at the cap (or whose send blocks)
    /// this many seconds is dropped, with the reason shown.
    #[arg(long, default_value = "5", value_name = "SECONDS", value_parser = parse_seconds)]
    pub stall_timeout: Duration,

    /// Clients served at once; more are accepted and closed at once.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_conns: usize,

    /// Clients served at once from one IP address (off by default: every
    /// local client shares 127.0.0.1); more are accepted and closed at once.
    #[arg(long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_conns_per_ip: Option<usize>,

    /// Run the lecture's listing as written, bugs included (see README).
    #[arg(long)]
    pub faithful: bool,

    /// Run the listing as Linux really runs it (implies --faithful): an
    /// accepted socket does not inherit O_NONBLOCK and the listing never
    /// sets it, so the whole loop parks in recv() on a silent client.
    #[arg(long)]
    pub verbatim: bool,

    /// Sleep this many microseconds after a spin that found nothing to do
    /// (0, the default, is the lecture's loop: it never sleeps; at most 1 s).
    #[arg(long, default_value_t = 0, value_name = "US", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub idle_delay_us: u64,

    /// Start the built-in clients' demo: clients connect, talk, close and
    /// reset by themselves at a pace a room can follow (`d` toggles it).
    #[arg(long, conflicts_with = "headless")]
    pub demo: bool,

    /// No dashboard: print the events as JSON lines on stdout.
    #[arg(long)]
    pub headless: bool,

    /// With --headless: stop after this many seconds (else at Ctrl-C or SIGTERM).
    #[arg(long, value_name = "SECONDS", requires = "headless", value_parser = parse_seconds)]
    pub duration: Option<Duration>,

    /// Record every event to FILE (JSON lines after a header line, ending
    /// with a summary line), for `ioscope replay FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// Seconds, fractions allowed: `0.5`, `10`; at most a day.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("'{s}' seconds: expected 0 to 86400"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A count of one or more.
pub fn parse_at_least_one(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("at least 1 (clients that connect and say nothing: --scene idle)".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{s}' is not a whole number")),
    }
}

/// The largest `--size` of the swarm.
pub const MAX_MESSAGE_SIZE: u64 = 64 << 20;

/// A size in bytes: `4096`, `64K`, `64KiB`, `1M`, `64MiB`, `1G` (K, M and
/// G are 1024, 1024² and 1024³), within `range`, which `range_text` words.
fn parse_bytes(
    s: &str,
    range: std::ops::RangeInclusive<u64>,
    range_text: &str,
) -> Result<u64, String> {
    let bad = || format!("'{s}' is not a size: expected bytes, e.g. 4096, 64K or 1MiB");
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(digits);
    let unit = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(bad)?;
    if !range.contains(&bytes) {
        return Err(format!("'{s}': expected {range_text}"));
    }
    Ok(bytes)
}

/// A message size of the swarm, from 1 byte to `MAX_MESSAGE_SIZE`.
pub fn parse_message_size(s: &str) -> Result<u64, String> {
    parse_bytes(s, 1..=MAX_MESSAGE_SIZE, "1 byte to 64MiB")
}

/// `--pending-cap`: 1K to 1G.
fn parse_pending_cap(s: &str) -> Result<usize, String> {
    parse_bytes(s, 1 << 10..=1 << 30, "1K to 1G").map(|n| n as usize)
}

/// `--pending-total`: 4K to 1024G.
fn parse_pending_total(s: &str) -> Result<usize, String> {
    parse_bytes(s, 4 << 10..=1 << 40, "4K to 1024G").map(|n| n as usize)
}

/// `HOST:PORT`, where HOST may be a name (`localhost:8080`).
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    let bad = || format!("'{s}' is not an address: expected HOST:PORT, e.g. 127.0.0.1:8080");
    if !s.contains(':') {
        return Err(bad());
    }
    s.to_socket_addrs()
        .map_err(|_| bad())?
        .next()
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{DEFAULT_PENDING_CAP, DEFAULT_PENDING_TOTAL};

    #[test]
    fn addresses_parse_or_explain() {
        assert_eq!(parse_addr("127.0.0.1:0").unwrap().port(), 0);
        assert!(parse_addr("[::1]:8080").unwrap().ip().is_loopback());
        assert!(parse_addr("localhost:8080").unwrap().ip().is_loopback());
        assert!(parse_addr("nonsense").unwrap_err().contains("HOST:PORT"));
        assert!(parse_addr("127.0.0.1:99999").is_err());
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["NaN", "inf", "-1", "1e9", "soon"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_hall_limits_parse() {
        let serve =
            |args: &[&str]| Cli::try_parse_from([&["ioscope"], args].concat()).map(|cli| cli.serve);
        let default = serve(&[]).unwrap();
        assert_eq!(default.pending_total, DEFAULT_PENDING_TOTAL);
        assert_eq!(
            default.max_conns_per_ip, None,
            "off: every local client is 127.0.0.1"
        );
        assert_eq!(default.pending_cap, DEFAULT_PENDING_CAP);
        let set = serve(&["--pending-total", "8388608", "--max-conns-per-ip", "3"]).unwrap();
        assert_eq!(
            (set.pending_total, set.max_conns_per_ip),
            (8 << 20, Some(3))
        );
        assert!(serve(&["--max-conns-per-ip", "0"]).is_err());
        assert!(serve(&["--pending-total", "100"]).is_err());
        // The sizes the README writes parse as written.
        let set = serve(&["--pending-cap", "64K", "--pending-total", "8M"]).unwrap();
        assert_eq!((set.pending_cap, set.pending_total), (64 << 10, 8 << 20));
        assert!(serve(&["--pending-cap", "512"]).is_err());
    }

    #[test]
    fn message_sizes_parse_or_explain() {
        for (s, bytes) in [
            ("1", 1),
            ("4096", 4096),
            ("64K", 65_536),
            ("64kib", 65_536),
            ("1M", 1 << 20),
            ("64MiB", 64 << 20),
        ] {
            assert_eq!(parse_message_size(s), Ok(bytes), "{s}");
        }
        for bad in [
            "",
            "0",
            "65MiB",
            "1G",
            "K",
            "-1",
            "1.5M",
            "99999999999999999999",
        ] {
            assert!(parse_message_size(bad).is_err(), "{bad}");
        }
        assert!(parse_message_size("1x").unwrap_err().contains("64K"));
        assert!(parse_message_size("65M").unwrap_err().contains("64MiB"));
    }

    #[test]
    fn theme_and_ascii_parse_on_serve_and_replay() {
        let cli = Cli::try_parse_from(["ioscope"]).unwrap();
        assert_eq!(
            (cli.serve.screen.theme, cli.serve.screen.ascii),
            (Theme::Dark, false)
        );
        let cli = Cli::try_parse_from(["ioscope", "--theme", "high-contrast", "--ascii"]).unwrap();
        assert_eq!(
            (cli.serve.screen.theme, cli.serve.screen.ascii),
            (Theme::HighContrast, true)
        );
        let cli =
            Cli::try_parse_from(["ioscope", "replay", "x.jsonl", "--theme", "light"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Replay(a)) if a.screen.theme == Theme::Light));
        assert!(Cli::try_parse_from(["ioscope", "--theme", "pink"]).is_err());
    }

    #[test]
    fn bare_ioscope_is_serve() {
        let cli = Cli::try_parse_from(["ioscope", "--addr", "127.0.0.1:0"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.addr.port(), 0);
        let cli =
            Cli::try_parse_from(["ioscope", "serve", "--headless", "--duration", "1"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Serve(a)) if a.headless));
    }
}
