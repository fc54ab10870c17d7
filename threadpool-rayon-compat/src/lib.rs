//! Placeholder until the compat layer lands.
