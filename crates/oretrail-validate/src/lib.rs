//! Validation of supplier reports (being written).
