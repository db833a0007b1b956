//! Which key a websocket acts with, decided once at `connection_init`.
//!
//! Browsers send no `Authorization` header on a websocket upgrade, so the key travels in the
//! `connection_init` payload. A page on another site can open a socket to the gateway too; it must
//! not get the gateway's own key that way, so only allowed origins fall back to it.

use serde_json::Value;

use crate::http::auth::bearer_from_str;
use crate::seam::ApiKey;

pub(super) const CROSS_ORIGIN: &str = "cross-origin connections must send their own Authorization";
const NOT_TEXT: &str = "The Authorization header is not valid text";

/// The connection's key (`None`: no key at all, operations answer UNAUTHENTICATED), or why the
/// connection is refused.
pub(super) fn connection_key(
    payload: Option<&Value>,
    origin_allowed: bool,
    default_key: Option<&ApiKey>,
) -> Result<Option<ApiKey>, &'static str> {
    let header = payload.and_then(|p| p.get("Authorization").or_else(|| p.get("authorization")));
    match header {
        Some(Value::String(value)) => bearer_from_str(value),
        // A JSON null is what many clients send for "no header".
        Some(Value::Null) | None if origin_allowed => Ok(default_key.cloned()),
        Some(Value::Null) | None => Err(CROSS_ORIGIN),
        Some(_) => Err(NOT_TEXT),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn should_give_the_default_key_only_to_allowed_origins() {
        let default = ApiKey::new("seam_default");
        let own = json!({ "Authorization": "Bearer seam_own" });
        let empty = json!({});
        assert_eq!(
            connection_key(Some(&empty), true, Some(&default)),
            Ok(Some(default.clone()))
        );
        assert_eq!(connection_key(None, true, None), Ok(None));
        assert_eq!(
            connection_key(Some(&empty), false, Some(&default)),
            Err(CROSS_ORIGIN)
        );
        assert_eq!(
            connection_key(Some(&own), false, Some(&default)),
            Ok(Some(ApiKey::new("seam_own")))
        );
        let malformed = json!({ "authorization": "Token nope" });
        assert!(connection_key(Some(&malformed), true, Some(&default)).is_err());
        let number = json!({ "Authorization": 7 });
        assert_eq!(connection_key(Some(&number), true, None), Err(NOT_TEXT));
    }
}
