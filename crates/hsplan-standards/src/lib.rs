//! # hsplan-standards — allocation and configuration standards, checked and located
//!
//! Owns the standards file format ([`rules`]: a TOML library of rules, each with id,
//! zh/en statement, source, scope, facility filter, parameters and severity) and its
//! evaluation ([`check`]): every rule against the service system for a year, each
//! violation located at a unit or facility with observed vs required and the shortfall in
//! words ("缺 2 名公共卫生医师", "需增设社区卫生服务站 1 个").
//!
//! A few general rule kinds cover the seed plans: `presence` (N facilities of a kind per
//! unit, possibly one per K residents), `capability` (every facility of a kind has a
//! department), `quantity`/`quota` (a count within bounds per facility or unit), and
//! `ratio`/`share` (X:Y or a part of a whole within bounds).
//!
//! Must not: read files (it takes text and a [`hsplan_model::ServiceSystem`]), print, or
//! know about the store.

pub mod check;
pub mod rules;

pub use check::{CheckReport, RuleOutcome, Violation, check};
pub use rules::{RuleSet, Severity, load};
