//! Request-scoped batch loaders (async-graphql DataLoader): everything one GraphQL request needs of a
//! kind is fetched with one upstream call per batch, matched by id, never by position.

mod access_codes;
mod devices;
mod linked_groups;

pub(crate) use access_codes::AccessCodeLoader;
pub(crate) use devices::DeviceLoader;
pub(crate) use linked_groups::LinkedGroupLoader;

/// Seam's largest page for list endpoints; batches are cut to this size.
const MAX_BATCH: usize = 500;
