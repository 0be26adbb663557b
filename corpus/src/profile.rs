use crate::{ImplementationMode, IpcCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An enterprise's technology demand (技术需求), the target of search and of
/// the daily precision push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandProfile {
    /// The source record id (e.g. `dem-3621ff01a6`).
    pub id: String,
    pub source: String,
    /// The enterprise this demand belongs to. Sources without one get an id
    /// derived from what identifies the company (see the importer).
    pub enterprise_id: String,
    pub enterprise_name: Option<String>,
    pub title: String,
    pub text: String,
    pub keywords: Vec<String>,
    /// Preferred IPC prefixes, e.g. `G06F` or `H04L 9`.
    pub ipc_prefixes: Vec<IpcCode>,
    pub acceptable_modes: BTreeSet<ImplementationMode>,
    /// The source's own wording of the modes, verbatim.
    pub modes_text: Option<String>,
    /// Budget ceiling in yuan; `None` when open-ended or not stated.
    pub budget_max_yuan: Option<u64>,
    /// Budget floor in yuan, when the source states a band (`50~200万`).
    pub budget_min_yuan: Option<u64>,
    pub budget_text: Option<String>,
    pub region: Option<String>,
    pub posted_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attributes: BTreeMap<String, String>,
}
