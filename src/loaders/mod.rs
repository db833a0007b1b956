//! Request-scoped batch loaders (async-graphql DataLoader): everything one GraphQL request needs of a
//! kind is fetched with one upstream call per batch, matched by id, never by position.

mod access_codes;
mod devices;
mod linked_groups;

pub use access_codes::AccessCodeLoader;
pub use devices::DeviceLoader;
pub use linked_groups::LinkedGroupLoader;

/// Seam's largest page for list endpoints; batches are cut to this size.
const MAX_BATCH: usize = 500;
