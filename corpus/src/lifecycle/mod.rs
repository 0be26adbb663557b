//! The rules of the Zhejiang 办法 over time: working days, withdrawal, the
//! six-month rule for terms, searchability, and the append-only history.

mod calendar;
mod event;
// The team's layout puts `Lifecycle` in lifecycle/lifecycle.rs, one type per file.
#[allow(clippy::module_inception)]
mod lifecycle;
mod terms;
mod terms_refusal;
mod withdrawal;

pub use calendar::WorkCalendar;
pub use event::LifecycleEvent;
pub use lifecycle::{withdrawal_effective_on, Lifecycle, WITHDRAWAL_WORKING_DAYS};
pub use terms_refusal::TermsRefusal;
pub use withdrawal::Withdrawal;
