//! # hsplan-report — what a planner reads
//!
//! Owns the message catalogue ([`messages`]: every user-facing text in zh-CN and en,
//! shared with the CLI) and the self-contained HTML evaluation report ([`html`], with
//! inline SVG charts from [`svg`]): overview, binding and expected indicators, sub-unit
//! comparison with choropleths, equity, problems found and the standards check.
//!
//! Must not: compute indicators or read the store (it renders an
//! [`hsplan_eval::report::Evaluation`] it is given), write files, or load anything
//! from the network when a report is opened (no external scripts, fonts or images).

pub mod html;
pub mod messages;
pub mod svg;
