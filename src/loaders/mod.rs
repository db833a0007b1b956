//! Request-scoped batch loaders (async-graphql DataLoader): what one GraphQL request asks of a kind
//! is gathered into one call to its service, matched by id, never by position.

mod access_codes;
mod devices;
mod linked_groups;

pub(crate) use access_codes::AccessCodeLoader;
pub(crate) use devices::DeviceLoader;
pub(crate) use linked_groups::LinkedGroupLoader;
