//! One execution result, serialised once: however many subscribers receive it, each transport
//! only frames this JSON (`{"id":…,"type":"next","payload":<it>}`, or an SSE `data:` line).

use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, Response, ServerError};
use serde_json::value::RawValue;

use crate::schema::ErrorCode;

pub(crate) struct Executed {
    /// The result itself: an operation refused before it ran is answered from it over HTTP.
    pub(crate) response: Response,
    /// `response` as JSON.
    pub(crate) json: Box<RawValue>,
}

/// A result shared by every subscriber it goes to.
pub(crate) type Shared = Arc<Executed>;

impl Executed {
    pub(crate) fn new(response: Response) -> Shared {
        // async-graphql responses always serialize (their values are JSON values).
        let json = serde_json::value::to_raw_value(&response).expect("GraphQL responses serialize");
        Arc::new(Self { response, json })
    }

    /// The result a subscriber gets instead of `missed` results it fell too far behind to receive.
    pub(crate) fn lagged(missed: u64) -> Shared {
        let mut error = ServerError::new(
            format!("This subscriber fell behind and missed {missed} results; it continues with the next"),
            None,
        );
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", ErrorCode::SubscriptionLagged.as_str());
        error.extensions = Some(extensions);
        Self::new(Response::from_errors(vec![error]))
    }
}
