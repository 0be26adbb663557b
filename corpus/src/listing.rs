use crate::{Declaration, Holder, Patent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One item of the public implementation list (公开实施清单): a patent, who
/// holds it, and the terms on which anyone may implement it.
///
/// Its lifecycle (intents, licences, terms changes, withdrawal) is kept apart
/// in [`crate::Lifecycle`], because it is append-only history while the
/// listing itself is replaced on re-import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// The source record id, stable across imports (e.g. `bdci-538f267d2e6f`).
    pub id: String,
    /// Where the record came from (`bdci2022`, `techmarket-offer`, `cnipa-export` …).
    pub source: String,
    pub patent: Patent,
    /// The patentee or applicant; `None` where the source does not say.
    pub holder: Option<Holder>,
    pub declaration: Declaration,
    /// Source fields with no place in the model (maturity, industry, sector,
    /// topic_label, legal status …), kept verbatim.
    pub attributes: BTreeMap<String, String>,
}
