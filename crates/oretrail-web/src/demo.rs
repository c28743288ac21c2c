//! The demo programme.
