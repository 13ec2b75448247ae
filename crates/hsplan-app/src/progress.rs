//! Progress and cancellation of long runs. The CLI and the server's jobs are two
//! implementations of [`Progress`]; a [`Cancel`] token is checked between stages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A stage of a long run, in the planner's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading inputs (graph, demand, facilities).
    Reading,
    /// Building a road network from what was read.
    Building,
    /// Preprocessing a road network for fast queries (contraction hierarchy).
    Preprocessing,
    /// Choosing candidate sites.
    Candidates,
    /// Travel times between demand and sites.
    Costs,
    /// Solving the location model.
    Solving,
    /// Comparing before and after.
    Summarising,
    /// Finished.
    Done,
}

/// Receives progress: `done` of `total` steps of a stage.
pub trait Progress: Send + Sync {
    /// Called at the start of each stage and as it advances.
    fn report(&self, stage: Stage, done: u64, total: u64);
}

/// Progress nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _: Stage, _: u64, _: u64) {}
}

/// A cancellation token shared between the run and whoever may cancel it.
#[derive(Debug, Default, Clone)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh token, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the run to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// `Err(Cancelled)` once cancellation was asked for.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::AppError::Cancelled)
        } else {
            Ok(())
        }
    }
}
