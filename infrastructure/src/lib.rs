//! placeholder

pub mod crypto;
pub mod repositories;
pub mod store;
