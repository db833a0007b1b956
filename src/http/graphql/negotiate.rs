//! Which media type a response is sent in, from the request's `Accept` (GraphQL over HTTP).

use axum::http::header::ACCEPT;
use axum::http::HeaderMap;

/// The two media types of a GraphQL response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors from results.
    GraphqlResponse,
    /// `application/json`: the legacy type, always 200 for GraphQL errors.
    Json,
}

impl MediaType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }
}

/// The media type to answer in; `None` when the client accepts neither (406). A client that sends
/// no `Accept`, or a wildcard, gets `application/json`, which every client older than the spec reads.
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let blank = headers
        .get_all(ACCEPT)
        .iter()
        .all(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace));
    if blank {
        return Some(MediaType::Json);
    }
    let accepted = accepted(headers);
    if accepted
        .iter()
        .any(|m| m == "application/graphql-response+json")
    {
        return Some(MediaType::GraphqlResponse);
    }
    accepted
        .iter()
        .any(|m| matches!(m.as_str(), "application/json" | "application/*" | "*/*"))
        .then_some(MediaType::Json)
}

/// True when the client asks for a page (a browser's navigation), for GraphiQL.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    accepted(headers).iter().any(|m| m == "text/html")
}

/// The media types of every `Accept` header, lower-cased, without parameters, those with `q=0` left out.
fn accepted(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            let mut parts = entry.split(';').map(str::trim);
            let media = parts.next()?.to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (!media.is_empty() && !refused).then_some(media)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, value.parse().expect("accept"));
        h
    }

    #[test]
    fn should_prefer_graphql_response_json_and_fall_back_to_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept("application/json")),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
        assert!(wants_html(&accept(
            "text/html,application/xhtml+xml,*/*;q=0.8"
        )));
    }
}
