//! Placeholder until the macro lands.
