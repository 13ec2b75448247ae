//! Long runs as jobs: started by a POST, run on a blocking thread, their progress
//! published on a watch channel (read by `GET /api/jobs/{id}` and streamed as
//! Server-Sent Events), cancellable by `DELETE`.

use hsplan_app::progress::{Cancel, Progress, Stage};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::sync::watch;
use utoipa::ToSchema;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting or working.
    Running,
    /// Finished with a result.
    Done,
    /// Failed with a problem.
    Failed,
    /// Cancelled.
    Cancelled,
}

/// A job as reported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobInfo {
    /// Job id.
    pub id: u64,
    /// What it runs (e.g. siting).
    pub kind: String,
    /// State.
    pub state: JobState,
    /// Current stage.
    pub stage: Stage,
    /// Steps done in the stage.
    pub done: u64,
    /// Steps in the stage.
    pub total: u64,
    /// Seconds since it started.
    pub seconds: f64,
    /// The result, when done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// The problem, when failed.
    pub error: Option<crate::problem::Problem>,
}

struct Job {
    info: watch::Sender<JobInfo>,
    cancel: Cancel,
    started: std::time::Instant,
}

/// The server's jobs (kept while the server runs; the newest 200).
#[derive(Default)]
pub struct Jobs {
    next: Mutex<u64>,
    jobs: Mutex<BTreeMap<u64, Job>>,
}

struct Sink {
    tx: watch::Sender<JobInfo>,
    started: std::time::Instant,
}

impl Progress for Sink {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        let seconds = self.started.elapsed().as_secs_f64();
        self.tx.send_modify(|i| {
            i.stage = stage;
            i.done = done;
            i.total = total;
            i.seconds = seconds;
        });
    }
}

impl Jobs {
    /// Starts `work` on a blocking thread; returns the job's first report.
    pub fn start<F>(&self, kind: &str, work: F) -> JobInfo
    where
        F: FnOnce(&dyn Progress, &Cancel) -> Result<serde_json::Value, crate::problem::Problem>
            + Send
            + 'static,
    {
        let id = {
            let mut n = self.next.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            *n
        };
        let info = JobInfo {
            id,
            kind: kind.into(),
            state: JobState::Running,
            stage: Stage::Reading,
            done: 0,
            total: 0,
            seconds: 0.0,
            result: None,
            error: None,
        };
        let (tx, _) = watch::channel(info.clone());
        let cancel = Cancel::new();
        let started = std::time::Instant::now();
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            while jobs.len() >= 200 {
                let oldest = *jobs.keys().next().expect("not empty");
                jobs.remove(&oldest);
            }
            jobs.insert(
                id,
                Job {
                    info: tx.clone(),
                    cancel: cancel.clone(),
                    started,
                },
            );
        }
        tokio::task::spawn_blocking(move || {
            let sink = Sink {
                tx: tx.clone(),
                started,
            };
            let outcome = work(&sink, &cancel);
            let seconds = started.elapsed().as_secs_f64();
            tx.send_modify(|i| {
                i.seconds = seconds;
                match outcome {
                    Ok(v) => {
                        i.state = JobState::Done;
                        i.stage = Stage::Done;
                        i.result = Some(v);
                    }
                    Err(_) if cancel.is_cancelled() => i.state = JobState::Cancelled,
                    Err(p) => {
                        i.state = JobState::Failed;
                        i.error = Some(p);
                    }
                }
            });
        });
        info
    }

    /// A job's current report.
    pub fn get(&self, id: u64) -> Option<JobInfo> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).map(|j| {
            let mut i = j.info.borrow().clone();
            if i.state == JobState::Running {
                i.seconds = j.started.elapsed().as_secs_f64();
            }
            i
        })
    }

    /// A receiver of a job's reports.
    pub fn watch(&self, id: u64) -> Option<watch::Receiver<JobInfo>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).map(|j| j.info.subscribe())
    }

    /// Asks a job to stop; `false` when there is no such job.
    pub fn cancel(&self, id: u64) -> bool {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        match jobs.get(&id) {
            Some(j) => {
                j.cancel.cancel();
                true
            }
            None => false,
        }
    }
}
