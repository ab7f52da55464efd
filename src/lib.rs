//! ioscope: an oscilloscope for socket IO models.
//!
//! A real TCP server runs one of the lecture's IO models on its own threads
//! (`server`), reports every socket outcome that matters through a `probe`
//! as `event`s on a bounded channel, and a ratatui dashboard (`app` for the
//! state, `ui` for the drawing, `runtime` for the loop) shows them live.

pub mod app;
pub mod cli;
pub mod client;
pub mod control;
pub mod event;
pub mod i18n;
pub mod probe;
pub mod record;
pub mod replay;
pub mod runtime;
pub mod serve;
pub mod server;
pub mod source;
pub mod stream;
pub mod sys;
pub mod term;
pub mod ui;
