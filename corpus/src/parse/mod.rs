//! Free text from sources into structure. Each parser keeps what it cannot
//! read and says so, never drops it.

mod budget;
mod cooperation;
mod date;
mod price;

pub use budget::{parse_budget, Budget};
pub use cooperation::{parse_modes, ModeParse};
pub use date::parse_date;
pub use price::parse_fee;
