//! The daily precision push (精准推送): what each demand profile is sent
//! on a day, recorded so that nothing is sent twice.

mod candidate_set;
mod push_config;
mod push_report;
mod pusher;
mod reference;

pub use push_config::PushConfig;
pub use push_report::{ProfilePush, PushProgress, PushReport};
pub use pusher::{Pusher, REPUSH_REASON};
