use super::api_error::{ApiError, ApiResult, ErrorKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::sync::Mutex;
use utoipa::ToSchema;

/// Push runs started over HTTP. A first run embeds every profile, which
/// takes minutes, so a run is a job that the caller polls rather than a
/// request that would time out.
#[derive(Debug, Default)]
pub struct PushJobs {
    jobs: Mutex<Vec<PushJob>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
    Failed,
}

/// One push run and how far it has got.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushJob {
    pub id: String,
    pub date: NaiveDate,
    pub state: JobState,
    /// `embedding` or `scoring` while running.
    pub stage: Option<String>,
    pub done: usize,
    pub total: usize,
    /// The run's report once done.
    #[schema(value_type = Option<Object>)]
    pub report: Option<ranker::PushReport>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl PushJobs {
    fn jobs(&self) -> std::sync::MutexGuard<'_, Vec<PushJob>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a run for `date`; refused while another runs, because two
    /// runs would embed the same profiles twice over for nothing (the
    /// store would keep only one of them anyway).
    pub fn start(&self, date: NaiveDate) -> ApiResult<PushJob> {
        let mut jobs = self.jobs();
        if let Some(running) = jobs.iter().find(|j| j.state == JobState::Running) {
            return Err(ApiError::new(
                ErrorKind::PushAlreadyRunning,
                format!(
                    "push run {} for {} is still running; poll /v1/push/runs/{}",
                    running.id, running.date, running.id
                ),
            ));
        }
        let job = PushJob {
            id: format!("run-{}", jobs.len() + 1),
            date,
            state: JobState::Running,
            stage: None,
            done: 0,
            total: 0,
            report: None,
            error: None,
            started_at: Utc::now(),
            finished_at: None,
        };
        jobs.push(job.clone());
        Ok(job)
    }

    pub fn get(&self, id: &str) -> Option<PushJob> {
        self.jobs().iter().find(|j| j.id == id).cloned()
    }

    pub fn update(&self, id: &str, change: impl FnOnce(&mut PushJob)) {
        if let Some(job) = self.jobs().iter_mut().find(|j| j.id == id) {
            change(job);
        }
    }

    pub fn finish(&self, id: &str, outcome: Result<ranker::PushReport, String>) {
        self.update(id, |job| {
            job.finished_at = Some(Utc::now());
            job.stage = None;
            match outcome {
                Ok(report) => {
                    job.state = JobState::Done;
                    job.report = Some(report);
                }
                Err(error) => {
                    job.state = JobState::Failed;
                    job.error = Some(error);
                }
            }
        });
    }
}
