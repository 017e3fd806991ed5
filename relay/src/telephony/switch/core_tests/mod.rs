//! Deterministic tests of the switch's core: inputs in, effects and SIP
//! out, on a simulated clock (no sockets, no tasks, no sleeping).

mod harness;
mod scenarios;
