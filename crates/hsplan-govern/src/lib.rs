//! # hsplan-govern — who may do what, where, and what happened
//!
//! The rules of a shared hsplan server as pure values and functions (DHIS2's semantics
//! where they apply):
//! - [`roles`]: a user holds [`roles::Grant`]s — a [`roles::Role`] on a unit subtree;
//!   [`roles::Principal::can`] answers "may this user do this action on this unit", and
//!   [`roles::restrict`] cuts a service system down to what a user may read.
//! - [`approval`]: data approval per unit and year, draft → submitted → approved → locked,
//!   a district's state covering its subtree.
//! - [`audit`]: the append-only audit log's hash chain and its verification.
//! - [`secrets`]: argon2id password hashes, session tokens and their digests.
//! - [`entry`]: checks of a facility-year typed into a form (parts ≤ whole, jumps against
//!   the year before).
//!
//! Must not: do IO. The store keeps users, grants, approvals and the log; the server
//! carries sessions; this crate only decides.

pub mod approval;
pub mod audit;
pub mod entry;
pub mod roles;
pub mod secrets;

pub use approval::{ApprovalAction, ApprovalState};
pub use audit::{AuditRecord, ChainBreak};
pub use roles::{Action, Grant, Principal, Role};
