use crate::Enrichment;
use chrono::NaiveDate;
use corpus::{
    FeeStandard, HolderKind, ImplementationMode, IpcCode, Lifecycle, Listing, PatentKind,
};
use serde::{Deserialize, Serialize};

/// What a result card and the facets of a result page show about a
/// listing, stored with its document in every generation.
///
/// It is taken from the listing when it is indexed, so that the ranker can
/// show, fold and count hits from the snapshot it searched, without a store
/// read per hit and without seeing a newer version of the listing than the
/// one that was scored. Only a few hundred bytes: the full texts stay in
/// the store and in the index's text fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: String,
    pub title: String,
    /// The holder's name, when the source names one.
    pub holder: Option<String>,
    pub holder_kind: Option<HolderKind>,
    /// True when `holder_kind` was predicted from the holder's name, not
    /// stated by the record.
    pub holder_kind_predicted: bool,
    /// 申请号 in its normalised form (`CN202223220665.2`), when known.
    pub application_number: Option<String>,
    pub patent_kind: PatentKind,
    /// The declared implementation modes, in their canonical order.
    pub modes: Vec<ImplementationMode>,
    /// IPC codes, main classification first.
    pub ipc: Vec<IpcCode>,
    /// True when `ipc` holds suggested codes: the record states none.
    pub ipc_predicted: bool,
    /// The declared fee standard as the corpus models it: payment method,
    /// amount, royalty and the source's wording.
    pub fee: FeeStandard,
    /// The lowest price in yuan; `None` when the price is 面议 or not stated,
    /// which a budget filter keeps and the ranker flags as 面议.
    pub fee_min: Option<u64>,
    /// The highest price in yuan; `None` exactly when `fee_min` is.
    pub fee_max: Option<u64>,
    /// When the declaration was announced, else when the listing was first
    /// listed: the day the `announced` filter reads.
    pub announced: Option<NaiveDate>,
    /// The last day a listing whose withdrawal was announced is searchable.
    pub withdrawal_effective: Option<NaiveDate>,
}

impl ListingCard {
    /// The card of `listing` in the state `lifecycle` records, with the
    /// predicted classes of `enrichment` where the record states none.
    pub fn new(listing: &Listing, lifecycle: &Lifecycle, enrichment: &Enrichment) -> Self {
        let patent = &listing.patent;
        let declaration = &listing.declaration;
        let amount = declaration.fee.amount;
        let stated_kind = listing.holder.as_ref().and_then(|holder| holder.kind);
        let predict_ipc = patent.ipc.is_empty() && !enrichment.ipc.is_empty();
        Self {
            id: listing.id.clone(),
            title: patent.title.clone(),
            holder: listing.holder.as_ref().map(|holder| holder.name.clone()),
            holder_kind: stated_kind.or(enrichment.holder_kind),
            holder_kind_predicted: stated_kind.is_none() && enrichment.holder_kind.is_some(),
            application_number: patent
                .application_number
                .as_ref()
                .map(|number| number.as_str().to_string()),
            patent_kind: patent.kind,
            modes: declaration.modes.iter().copied().collect(),
            ipc: if predict_ipc {
                enrichment.ipc.clone()
            } else {
                patent.ipc.clone()
            },
            ipc_predicted: predict_ipc,
            fee: declaration.fee.clone(),
            fee_min: amount.map(|range| range.min),
            fee_max: amount.map(|range| range.max),
            announced: declaration.announced_on.or(lifecycle.listed_on),
            withdrawal_effective: lifecycle.withdrawal().map(|w| w.effective_on),
        }
    }

    /// True when the price is 面议 or not stated: a budget can neither
    /// accept nor reject it on price.
    pub fn is_open_price(&self) -> bool {
        self.fee_min.is_none()
    }
}
