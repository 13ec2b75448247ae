//! The message catalogue lives in `hsplan-report` (one catalogue for CLI and reports).

pub use hsplan_report::messages::*;
