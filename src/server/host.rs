//! The dashboard's server slot: one model at a time on one address, and a
//! live switch to the next model (the old one stops, its clients see a
//! close, the new one binds the same address).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{BindError, Model, Server, ServerConfig};
use crate::control::Control;
use crate::probe::EventTx;

#[derive(Debug)]
pub struct ServerHost {
    config: Mutex<ServerConfig>,
    server: Mutex<Server>,
    tx: EventTx,
    epoch: Instant,
    idle_delay: Duration,
}

impl ServerHost {
    /// Starts `config.model` on `config.addr`.
    pub fn start(
        mut config: ServerConfig,
        tx: EventTx,
        epoch: Instant,
        idle_delay: Duration,
    ) -> Result<Self, BindError> {
        let server = start(&config, tx.clone(), epoch, idle_delay)?;
        // A switch rebinds the address really bound (port 0 resolved).
        config.addr = server.addr();
        Ok(ServerHost {
            config: Mutex::new(config),
            server: Mutex::new(server),
            tx,
            epoch,
            idle_delay,
        })
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
        match start(&config, self.tx.clone(), self.epoch, self.idle_delay) {
            Ok(next) => {
                *server = next;
                Ok(())
            }
            Err(e) => {
                config.model = previous;
                if let Ok(old) = start(&config, self.tx.clone(), self.epoch, self.idle_delay) {
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
    idle_delay: Duration,
) -> Result<Server, BindError> {
    let control = Arc::new(Control::new());
    control.set_idle_delay(idle_delay);
    Server::start_with_control(config, tx, epoch, control)
}

/// A server with no threads, standing in while the slot is switched.
fn stopped_placeholder() -> Server {
    Server {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        model: Model::default(),
        control: Arc::new(Control::new()),
        threads: Vec::new(),
    }
}
