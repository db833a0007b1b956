//! Relay-style connections over Seam's cursor pagination.
//!
//! Seam's cursors only resume at a page boundary and only with the same filters and `limit`. A gateway
//! cursor therefore names the upstream page an item came from, its offset in that page and the limit:
//! resuming after any edge refetches that page and skips what was already seen.

use std::future::Future;

use async_graphql::SimpleObject;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::error::{GatewayError, GatewayResult};
use crate::seam::wire::Pagination;
use crate::seam::SeamError;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;
/// Longest upstream page cursor carried inside ours (Seam's are far shorter).
const MAX_UPSTREAM_CURSOR: usize = 1024;

/// Declares a concrete Relay connection and edge type for one node type, next to that type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(async_graphql::SimpleObject)]
        pub(super) struct $connection {
            /// The items with their cursors.
            pub(super) edges: Vec<$edge>,
            /// The items alone, for clients that need no cursors.
            pub(super) nodes: Vec<$node>,
            /// Whether more items follow, and the cursor to fetch them.
            pub(super) page_info: $crate::schema::connection::PageInfo,
        }

        #[doc = concat!("One of the ", $what, " of a page, with the cursor to resume after it.")]
        #[derive(async_graphql::SimpleObject)]
        pub(super) struct $edge {
            /// The item.
            pub(super) node: $node,
            /// Pass as `after` to continue after this item.
            pub(super) cursor: String,
        }

        impl From<$crate::schema::connection::Page<$node>> for $connection {
            fn from(page: $crate::schema::connection::Page<$node>) -> Self {
                let (items, page_info) = page.into_parts();
                Self {
                    nodes: items.iter().map(|(node, _)| node.clone()).collect(),
                    page_info,
                    edges: items
                        .into_iter()
                        .map(|(node, cursor)| $edge { node, cursor })
                        .collect(),
                }
            }
        }
    };
}
pub(super) use connection;

/// One page of items with their cursors, before it becomes a connection type.
pub(super) struct Page<T> {
    items: Vec<(T, String)>,
    has_next_page: bool,
}

impl<T> Page<T> {
    /// The items to show (each with its cursor).
    pub(super) fn items(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|(item, _)| item)
    }

    /// The items with their cursors, and the page info to go with them.
    pub(super) fn into_parts(self) -> (Vec<(T, String)>, PageInfo) {
        let page_info = PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: false,
            start_cursor: self.items.first().map(|(_, c)| c.clone()),
            end_cursor: self.items.last().map(|(_, c)| c.clone()),
        };
        (self.items, page_info)
    }
}

/// Pagination state of a connection (forward only, as Seam pages forward only).
#[derive(SimpleObject)]
pub(super) struct PageInfo {
    /// True when more items follow this page.
    pub has_next_page: bool,
    /// Always false: pages are fetched forward only.
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Validated `first` / `after` arguments.
pub(super) struct PageArgs {
    first: usize,
    after: Option<Cursor>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Cursor {
    /// Upstream page cursor of the page the item came from (None: the first page).
    #[serde(rename = "c")]
    page: Option<String>,
    /// How many items of that page are consumed.
    #[serde(rename = "o")]
    offset: usize,
    /// The upstream `limit` the page was fetched with.
    #[serde(rename = "l")]
    limit: u32,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursor serializes"))
    }
    /// A cursor this API could have returned: its page size within `first`'s range (it is sent
    /// upstream as `limit`) and its offset within that page.
    fn decode(s: &str) -> GatewayResult<Self> {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
            .filter(|c| (1..=MAX_PAGE as u32).contains(&c.limit) && c.offset <= c.limit as usize)
            .filter(|c| {
                c.page
                    .as_ref()
                    .is_none_or(|p| p.len() <= MAX_UPSTREAM_CURSOR)
            })
            .ok_or_else(|| GatewayError::bad_input("`after` is not a cursor this API returned"))
    }
}

impl PageArgs {
    pub(super) fn new(first: Option<i32>, after: Option<String>) -> GatewayResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
            Some(n) => {
                return Err(GatewayError::bad_input(format!(
                    "`first` must be between 1 and {MAX_PAGE}, got {n}"
                )))
            }
        };
        let after = after.as_deref().map(Cursor::decode).transpose()?;
        Ok(Self { first, after })
    }

    /// The upstream cursor inside `after`, if any (for list endpoints whose cursors the gateway
    /// makes itself and must check before calling Seam).
    pub(super) fn upstream_cursor(&self) -> Option<&str> {
        self.after.as_ref().and_then(|c| c.page.as_deref())
    }

    /// How many items were asked for.
    pub(super) fn first(&self) -> u64 {
        self.first as u64
    }

    /// The most upstream pages filling this page may take: one without a cursor (the page size is
    /// `first`); with one, the rest of the cursor's page plus as many pages of its size as `first`
    /// still needs (Seam's cursors only resume with the page size they were made with).
    pub(super) fn max_pages(&self) -> u64 {
        match &self.after {
            None => 1,
            Some(c) => {
                let limit = u64::from(c.limit.max(1));
                let rest_of_page = limit.saturating_sub(c.offset as u64);
                1 + (self.first as u64)
                    .saturating_sub(rest_of_page)
                    .div_ceil(limit)
            }
        }
    }
}

/// Fills one connection page from an upstream list endpoint. `fetch(page_cursor, limit)` returns the
/// upstream page and its pagination (absent when the server does not paginate).
pub(super) async fn paginate<T, U, F, Fut>(
    page: PageArgs,
    fetch: F,
    wrap: impl Fn(U) -> T,
) -> GatewayResult<Page<T>>
where
    F: Fn(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<U>, Option<Pagination>), SeamError>>,
{
    let max_pages = page.max_pages();
    let (mut upstream_cursor, mut skip, limit) = match page.after {
        Some(c) => (c.page, c.offset, c.limit),
        None => (None, 0, page.first as u32),
    };
    let mut items: Vec<(T, String)> = Vec::with_capacity(page.first);
    let mut has_next_page = false;
    let mut pages = 0;
    loop {
        pages += 1;
        let (fetched, pagination) = fetch(upstream_cursor.clone(), limit)
            .await
            .map_err(page_error)?;
        let count = fetched.len();
        for (index, item) in fetched.into_iter().enumerate().skip(skip) {
            if items.len() == page.first {
                has_next_page = true;
                break;
            }
            let cursor = Cursor {
                page: upstream_cursor.clone(),
                offset: index + 1,
                limit,
            };
            items.push((wrap(item), cursor.encode()));
        }
        skip = 0;
        let next = pagination
            .filter(|p| p.has_next_page)
            .and_then(|p| p.next_page_cursor);
        match next {
            _ if has_next_page => break,
            // The page budget is what the cost check charged: a server that returns short pages
            // (filters it ignores) gets a short page back, with `hasNextPage`, not more calls.
            Some(next) if items.len() < page.first && pages < max_pages => {
                upstream_cursor = Some(next)
            }
            Some(_) => {
                has_next_page = true;
                break;
            }
            None => break,
        }
        if count == 0 {
            break;
        }
    }
    Ok(Page {
        items,
        has_next_page,
    })
}

/// Seam refuses a page cursor reused with other filters; say so in the caller's terms.
fn page_error(e: SeamError) -> GatewayError {
    if e.kind() == Some("mismatched_page_parameters") {
        GatewayError::bad_input(
            "`after` belongs to a list with other arguments; repeat the same arguments",
        )
    } else {
        GatewayError::from(e)
    }
}
