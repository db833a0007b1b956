//! Following Seam's `pagination` to the end of a list.

use std::future::Future;

use super::wire::Pagination;
use super::SeamError;

/// Every item of a list: asks `page(cursor)` for one page at a time (None first), until Seam says
/// there is no next page. For lookups by id, where the server should answer in one page anyway.
pub async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, SeamError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<Pagination>), SeamError>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let (batch, pagination) = page(cursor.take()).await?;
        items.extend(batch);
        match pagination {
            Some(p) if p.has_next_page && p.next_page_cursor.is_some() => {
                cursor = p.next_page_cursor
            }
            _ => return Ok(items),
        }
    }
}
