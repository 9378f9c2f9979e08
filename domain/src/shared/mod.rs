//! Building blocks shared by every aggregate: ids, clock, paging, repository errors.

pub mod bounds;
pub mod checked;
pub mod clock;
pub mod data_version;
pub mod error;
pub mod field;
pub mod ids;
pub mod keyset;
pub mod page;
pub mod rfc3339_or_tuple;
pub mod secret;
