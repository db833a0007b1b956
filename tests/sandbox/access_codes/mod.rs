//! The `/access_codes/*` routes, one file per handler family.

mod create;
mod delete;
mod read;
mod update;
