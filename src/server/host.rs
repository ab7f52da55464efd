//! The dashboard's server slot: one model at a time on one address, and a
//! live switch to the next model (the old one stops, its clients see a
//! close, the new one binds the same address).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::pool::Resize;
use super::{BindError, Model, Server, ServerConfig};
use crate::control::Control;
use crate::event::{Backoff, Event, EventKind};
use crate::probe::EventTx;

/// The slow-motion delays `-` / `+` step through, slowest first; the last
/// is full speed.
pub const CALL_DELAYS: [Duration; 6] = [
    Duration::from_secs(1),
    Duration::from_millis(500),
    Duration::from_millis(100),
    Duration::from_millis(10),
    Duration::from_millis(1),
    Duration::ZERO,
];

/// How long `b`'s sleeping backoff sleeps.
pub const BACKOFF_SLEEP: Duration = Duration::from_millis(1);

/// The pace the viewer set. It outlives a model switch: the next model's
/// control starts with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub call_delay: Duration,
    pub backoff: Backoff,
    pub backoff_sleep: Duration,
}

impl Pace {
    fn apply(&self, control: &Control) {
        control.set_call_delay(self.call_delay);
        control.set_backoff(self.backoff, self.backoff_sleep);
    }

    /// One step slower (`-`) or faster (`+`) through [`CALL_DELAYS`].
    pub fn slower(mut self, slower: bool) -> Self {
        let now = self.call_delay;
        // CALL_DELAYS runs from the longest delay to none.
        self.call_delay = if slower {
            let longer = CALL_DELAYS.iter().rev().find(|d| **d > now);
            *longer.unwrap_or(&CALL_DELAYS[0])
        } else {
            let shorter = CALL_DELAYS.iter().find(|d| **d < now);
            shorter.copied().unwrap_or(Duration::ZERO)
        };
        self
    }

    /// The next backoff: spin → yield → sleep 1 ms → spin.
    pub fn next_backoff(mut self) -> Self {
        (self.backoff, self.backoff_sleep) = match self.backoff {
            Backoff::Spin => (Backoff::Yield, Duration::ZERO),
            Backoff::Yield => (Backoff::Sleep, BACKOFF_SLEEP),
            Backoff::Sleep => (Backoff::Spin, Duration::ZERO),
        };
        self
    }

    fn event(&self) -> EventKind {
        EventKind::Pace {
            call_delay_us: self.call_delay.as_micros() as u64,
            backoff: self.backoff,
            backoff_us: self.backoff_sleep.as_micros() as u64,
        }
    }
}

#[derive(Debug)]
pub struct ServerHost {
    config: Mutex<ServerConfig>,
    server: Mutex<Server>,
    tx: EventTx,
    epoch: Instant,
    pace: Mutex<Pace>,
}

impl ServerHost {
    /// Starts `config.model` on `config.addr`.
    pub fn start(
        mut config: ServerConfig,
        tx: EventTx,
        epoch: Instant,
        idle_delay: Duration,
    ) -> Result<Self, BindError> {
        let pace = Pace {
            call_delay: Duration::ZERO,
            backoff: if idle_delay.is_zero() {
                Backoff::Spin
            } else {
                Backoff::Sleep
            },
            backoff_sleep: idle_delay,
        };
        // Beyond loopback, where the room reaches it: read once, said by
        // every model's `listening`.
        if config.reachable.is_empty() {
            config.reachable = super::reach::reachable(config.addr.ip());
        }
        let server = start(&config, tx.clone(), epoch, pace)?;
        // A switch rebinds the address really bound (port 0 resolved).
        config.addr = server.addr();
        Ok(ServerHost {
            config: Mutex::new(config),
            server: Mutex::new(server),
            tx,
            epoch,
            pace: Mutex::new(pace),
        })
    }

    /// One worker more (`true`) or fewer for the running pool: how many it
    /// has then (a later switch back to `pool` starts with as many).
    /// `None`: the running model is not a pool.
    pub fn resize_pool(&self, grow: bool) -> Option<Result<usize, Resize>> {
        let server = self.lock_server();
        let pool = server.pool()?;
        let resized = if grow { pool.grow() } else { pool.shrink() };
        if let Ok(workers) = resized {
            self.config
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .workers = workers;
        }
        Some(resized)
    }

    /// The pace now.
    pub fn pace(&self) -> Pace {
        *self.pace.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the pace for the running model and the ones after it (each
    /// says it after its `listening`), and says so in the event stream.
    pub fn set_pace(&self, pace: Pace) {
        let was = std::mem::replace(
            &mut *self.pace.lock().unwrap_or_else(|e| e.into_inner()),
            pace,
        );
        if was == pace {
            // `+` at full speed, `-` at the slowest: nothing to say.
            return;
        }
        pace.apply(&self.control());
        let event = Event {
            t_us: self.epoch.elapsed().as_micros() as u64,
            kind: pace.event(),
        };
        // A full channel drops it, as any event; the setting holds anyway.
        let _ = self.tx.try_send(vec![event]);
    }

    pub fn addr(&self) -> SocketAddr {
        self.lock_server().addr()
    }

    pub fn model(&self) -> Model {
        self.lock_server().model()
    }

    /// The running model's control (a switch makes a new one).
    pub fn control(&self) -> Arc<Control> {
        self.lock_server().control().clone()
    }

    /// False once a model thread ended by itself (a panic).
    pub fn is_alive(&self) -> bool {
        self.lock_server().is_alive()
    }

    /// Stops the running model and starts `model` on the same address. If
    /// the new one cannot bind, the old model is started again and the
    /// error returned.
    pub fn switch_to(&self, model: Model) -> Result<(), BindError> {
        let mut config = self.config.lock().unwrap_or_else(|e| e.into_inner());
        let mut server = self.lock_server();
        let previous = config.model;
        config.model = model;
        // Stop the old one first: it holds the address.
        let placeholder = std::mem::replace(&mut *server, stopped_placeholder());
        placeholder.stop();
        let pace = self.pace();
        match start(&config, self.tx.clone(), self.epoch, pace) {
            Ok(next) => {
                *server = next;
                Ok(())
            }
            Err(e) => {
                config.model = previous;
                if let Ok(old) = start(&config, self.tx.clone(), self.epoch, pace) {
                    *server = old;
                }
                Err(e)
            }
        }
    }

    fn lock_server(&self) -> std::sync::MutexGuard<'_, Server> {
        self.server.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn start(
    config: &ServerConfig,
    tx: EventTx,
    epoch: Instant,
    pace: Pace,
) -> Result<Server, BindError> {
    let control = Arc::new(Control::new());
    pace.apply(&control);
    Server::start_with_control(config, tx, epoch, control)
}

/// A server with no threads, standing in while the slot is switched.
fn stopped_placeholder() -> Server {
    Server {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        model: Model::default(),
        control: Arc::new(Control::new()),
        threads: Vec::new(),
        pool: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_motion_steps_through_the_delays_and_stops_at_both_ends() {
        let mut pace = Pace {
            call_delay: Duration::ZERO,
            backoff: Backoff::Spin,
            backoff_sleep: Duration::ZERO,
        };
        let mut seen = vec![pace.call_delay];
        for _ in 0..7 {
            pace = pace.slower(true);
            seen.push(pace.call_delay);
        }
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            seen,
            [
                Duration::ZERO,
                ms(1),
                ms(10),
                ms(100),
                ms(500),
                ms(1000),
                ms(1000),
                ms(1000)
            ]
        );
        for _ in 0..7 {
            pace = pace.slower(false);
        }
        assert_eq!(pace.call_delay, Duration::ZERO);
        // A delay from elsewhere goes to the next one on the list.
        pace.call_delay = ms(200);
        assert_eq!(pace.slower(true).call_delay, ms(500));
        assert_eq!(pace.slower(false).call_delay, ms(100));
    }

    #[test]
    fn the_backoff_cycles_spin_yield_sleep() {
        let mut pace = Pace {
            call_delay: Duration::ZERO,
            backoff: Backoff::Spin,
            backoff_sleep: Duration::ZERO,
        };
        let mut seen = Vec::new();
        for _ in 0..4 {
            pace = pace.next_backoff();
            seen.push((pace.backoff, pace.backoff_sleep));
        }
        assert_eq!(
            seen,
            [
                (Backoff::Yield, Duration::ZERO),
                (Backoff::Sleep, BACKOFF_SLEEP),
                (Backoff::Spin, Duration::ZERO),
                (Backoff::Yield, Duration::ZERO),
            ]
        );
    }
}
