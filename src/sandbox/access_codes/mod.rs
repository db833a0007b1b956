//! `/access_codes/*`: create, create_multiple, update, update_multiple, delete, get, list,
//! generate_code, get_timeline, pull_backup_access_code, and the unmanaged codes (`unmanaged`).
//!
//! One file per handler family; what they share (the fields a code is written with, the PIN and
//! window checks, storing a new code, tying an action attempt to it) lives in `new_code` and
//! `checks`, and the error envelopes specific to codes in `errors`.

mod backup;
mod checks;
mod create;
mod create_multiple;
mod delete;
mod errors;
mod generate;
mod new_code;
mod read;
mod timeline;
pub(crate) mod unmanaged;
mod update;

pub(crate) use backup::pull as pull_backup_access_code;
pub(crate) use create::create;
pub(crate) use create_multiple::create_multiple;
pub(crate) use delete::delete;
pub(crate) use generate::generate_code;
pub(crate) use read::{get, list};
pub(crate) use timeline::get_timeline;
pub(crate) use update::{update, update_multiple};
