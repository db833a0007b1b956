//! A code's timeline (`access_codes/get_timeline`), a page at a time.
//!
//! The endpoint pages by time only (`after`, exclusive), so a page boundary between two events of
//! the same instant would lose the second. The upstream cursor therefore carries the instant just
//! before the page's last event plus how many events of that last instant were already returned;
//! the next page asks from that earlier instant and drops those.

use chrono::{DateTime, Duration, Utc};

use super::AccessCodeService;
use crate::seam::wire::{format_time, Pagination, TimelineEvent, TimelineRequest};
use crate::seam::{ApiKey, SeamError};

/// Most events one `get_timeline` call returns (the contract's maximum `limit`).
pub(crate) const MAX_TIMELINE_PAGE: u32 = 200;

/// Where a page resumes: events after `after`, skipping the first `skip` of them.
struct Resume {
    after: DateTime<Utc>,
    skip: usize,
}

impl Resume {
    fn encode(&self) -> String {
        format!("{}|{}", format_time(&self.after), self.skip)
    }
    fn decode(s: &str) -> Result<Self, SeamError> {
        let bad = || SeamError::Decode("timeline cursor".into());
        let (at, skip) = s.split_once('|').ok_or_else(bad)?;
        Ok(Self {
            after: DateTime::parse_from_rfc3339(at)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
            skip: skip.parse().map_err(|_| bad())?,
        })
    }
}

/// Whether `cursor` is an upstream timeline cursor this module made (checked before any call, so a
/// forged one is the caller's error, not Seam's).
pub(crate) fn is_timeline_cursor(cursor: &str) -> bool {
    Resume::decode(cursor).is_ok()
}

impl AccessCodeService {
    /// One page of at most `limit` events, oldest first, with the cursor of the next page.
    pub(crate) async fn timeline_page(
        &self,
        key: &ApiKey,
        access_code_id: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<TimelineEvent>, Option<Pagination>), SeamError> {
        let resume = cursor.map(Resume::decode).transpose()?;
        let skip = resume.as_ref().map_or(0, |r| r.skip);
        let ask = (limit as usize + skip).min(MAX_TIMELINE_PAGE as usize) as u32;
        let request = TimelineRequest {
            access_code_id: access_code_id.to_owned(),
            after: resume.as_ref().map(|r| format_time(&r.after)),
            limit: Some(ask.max(1)),
            ..Default::default()
        };
        let response = self.client.get_timeline(key, &request).await?;
        let has_more = response.pagination.is_some_and(|p| p.has_more);
        let mut events: Vec<TimelineEvent> =
            response.timeline_events.into_iter().skip(skip).collect();
        let more_here = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next = match events.last() {
            Some(last) if has_more || more_here => {
                let at = last.occurred_at;
                let same_instant = events.iter().filter(|e| e.occurred_at == at).count();
                // A whole page of one instant continues the count of the previous page's.
                let carried = match &resume {
                    Some(r)
                        if same_instant == events.len()
                            && r.after + Duration::milliseconds(1) == at =>
                    {
                        r.skip
                    }
                    _ => 0,
                };
                Some(Resume {
                    after: at - Duration::milliseconds(1),
                    skip: carried + same_instant,
                })
            }
            _ => None,
        };
        let pagination = Pagination {
            has_next_page: next.is_some(),
            next_page_cursor: next.map(|r| r.encode()),
        };
        Ok((events, Some(pagination)))
    }
}
