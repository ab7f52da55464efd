//! Where the dashboard's events come from. The runtime does not care: a
//! live server today, a recording or another machine's stream later. A
//! source gives events, a clock on the events' time base, and does what it
//! can of the viewer's commands (pause, step, switch model).

use std::time::Instant;

use crate::app::{Dashboard, Notice};
use crate::probe::EventRx;
use crate::probe::channel::Flow;
use crate::record::Tap;
use crate::replay::ReplayInfo;
use crate::server::{Resize, ServerHost};

/// At most this many events are applied in one [`Source::feed`] of a
/// channel, so the input is read again soon.
pub const FEED_MAX: usize = 65_536;

/// What the viewer asks of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    TogglePause,
    /// While paused: the loop runs to the top of its next spin.
    Step,
    /// While paused: the loop makes one more system call.
    StepCall,
    /// Slow motion: one step slower (`true`) or faster through the delays.
    Slower(bool),
    /// The busy loop's next idle backoff.
    NextBackoff,
    /// `pool`: one worker more (`true`) or fewer.
    Workers(bool),
    /// Stop this model and start the next one on the same address.
    NextModel,
    /// A replay: the next speed up (`true`) or down.
    Speed(bool),
    /// A replay: go somewhere else in the recording.
    Seek(Seek),
}

/// Where a replay can jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// 10 s back, 10 s forward.
    Back,
    Forward,
    Start,
    End,
    /// The next and the previous marker or note.
    NextMark,
    PrevMark,
}

pub trait Source {
    /// Teaches the dashboard what there is to learn now (and hands it to
    /// `record` as well, when recording). The runtime calls it every
    /// [`DRAIN_EVERY`](crate::probe::channel::DRAIN_EVERY) and before each
    /// frame; it never waits. [`Flow::Ended`] once the source is gone.
    fn feed(&self, dashboard: &mut Dashboard, record: Option<&Tap>) -> Flow;
    /// Moves the dashboard's clock on to the source's (the runtime's tick).
    fn tick(&self, dashboard: &mut Dashboard) {
        dashboard.tick(self.now_us());
    }
    /// The source's clock: microseconds on the events' time base.
    fn now_us(&self) -> u64;
    /// False once the source ended by itself (a server thread panicked).
    fn is_alive(&self) -> bool;
    /// Carries out a command, or says why it cannot.
    fn command(&self, command: Command) -> Result<(), Notice>;
    /// A replay's progress (where, how fast, paused); `None` for a live
    /// source.
    fn replay(&self) -> Option<ReplayInfo> {
        None
    }
}

/// Applies the events there are on `events` (at most [`FEED_MAX`]), in
/// order, and hands them to `record` too: how a source with an event
/// channel feeds.
pub fn feed_from(events: &EventRx, dashboard: &mut Dashboard, record: Option<&Tap>) -> Flow {
    match record {
        None => events.drain(FEED_MAX, |event| dashboard.apply(&event)),
        Some(tap) => {
            let mut batch = Vec::new();
            let flow = events.drain(FEED_MAX, |event| {
                dashboard.apply(&event);
                batch.push(event);
            });
            tap.forward(batch);
            flow
        }
    }
}

/// A server running in this process.
#[derive(Debug)]
pub struct Live {
    host: ServerHost,
    events: EventRx,
    epoch: Instant,
}

impl Live {
    /// `events` is the receiving end of the channel `host` reports to, and
    /// `epoch` the clock it was started with.
    pub fn new(host: ServerHost, events: EventRx, epoch: Instant) -> Self {
        Live {
            host,
            events,
            epoch,
        }
    }

    pub fn host(&self) -> &ServerHost {
        &self.host
    }
}

impl Source for Live {
    fn feed(&self, dashboard: &mut Dashboard, record: Option<&Tap>) -> Flow {
        feed_from(&self.events, dashboard, record)
    }

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    fn is_alive(&self) -> bool {
        self.host.is_alive()
    }

    fn command(&self, command: Command) -> Result<(), Notice> {
        match command {
            Command::TogglePause => {
                let control = self.host.control();
                control.set_paused(!control.is_paused());
            }
            Command::Step | Command::StepCall => {
                let control = self.host.control();
                if !control.is_paused() {
                    return Err(Notice::StepNeedsPause);
                }
                if command == Command::StepCall {
                    control.step_call();
                } else if self.host.model().has_threads() {
                    return Err(Notice::SpinStepNeedsLoop);
                } else {
                    control.step();
                }
            }
            Command::Slower(slower) => self.host.set_pace(self.host.pace().slower(slower)),
            Command::NextBackoff => self.host.set_pace(self.host.pace().next_backoff()),
            Command::Workers(grow) => match self.host.resize_pool(grow) {
                None => return Err(Notice::WorkersNeedPool),
                Some(Err(why)) => {
                    return Err(match why {
                        Resize::CannotGrow => Notice::PoolCannotGrow,
                        Resize::AtLeastOne => Notice::PoolAtLeastOne,
                        Resize::QueueFull => Notice::PoolQueueFull,
                    });
                }
                Some(Ok(_)) => {}
            },
            Command::Speed(_) => return Err(Notice::SpeedNeedsReplay),
            Command::Seek(_) => return Err(Notice::SeekNeedsReplay),
            Command::NextModel => {
                let next = self.host.model().next();
                self.host
                    .switch_to(next)
                    .map_err(|e| Notice::SwitchFailed {
                        model: next,
                        error: e.to_string(),
                    })?;
            }
        }
        Ok(())
    }
}
