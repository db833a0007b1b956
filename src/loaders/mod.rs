//! Request-scoped batch loaders: what one GraphQL request asks of a kind is gathered into one call
//! to its service, matched by id, never by position. The loaders implement async-graphql's
//! `Loader`; [`Batch`] gathers their keys (without async-graphql's timer-driven DataLoader).

mod access_codes;
mod batch;
mod devices;
mod linked_groups;

pub(crate) use access_codes::AccessCodeLoader;
pub(crate) use batch::Batch;
pub(crate) use devices::DeviceLoader;
pub(crate) use linked_groups::LinkedGroupLoader;
