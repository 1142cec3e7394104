//! Cycle-accurate co-simulation of mapdma.

pub mod verilated;
