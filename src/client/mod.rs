//! The client side: the lecture's interactive client, and a swarm of
//! scripted clients that checks every reply byte for byte.

pub mod builtin;
pub mod conn;
pub mod interactive;
pub mod payload;
pub mod stats;
pub mod swarm;
