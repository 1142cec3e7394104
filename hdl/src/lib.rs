//! placeholder until the HDL lands
