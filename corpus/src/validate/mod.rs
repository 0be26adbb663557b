//! Identifier rules: each type can only hold a value that passed its check.

mod application_number;
mod credit_code;
mod ipc_code;
mod publication_number;

pub use application_number::ApplicationNumber;
pub use credit_code::CreditCode;
pub use ipc_code::IpcCode;
pub use publication_number::PublicationNumber;
