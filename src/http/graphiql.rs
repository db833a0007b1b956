//! GraphiQL, served from the binary: the page at `GET /graphql` and its files at
//! `GET /graphiql/assets/...`, so the playground works without internet.
//!
//! The files come from npm at pinned versions (`scripts/vendor-graphiql.sh`, which also writes
//! `assets/graphiql/VERSIONS`). Each URL carries its package's version (ours: a hash of the file),
//! so a URL always names the same bytes and browsers may keep it for a year.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Where the page finds its files.
const ASSETS_PREFIX: &str = "/graphiql/assets/";

/// Only this server's scripts run, and the page may talk only to this server (the websocket for
/// subscriptions included: 'self' covers ws/wss on the same host). Inline styles stay allowed:
/// React and GraphiQL's dialogs set them at run time; the fonts and icons are data: URLs in the CSS.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The embedded files, in the order the page loads them. The versions are in VERSIONS.
const FILES: [(&str, &[u8], &str); 5] = [
    (
        "react.production.min.js",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
        JS,
    ),
    (
        "react-dom.production.min.js",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
        JS,
    ),
    (
        "graphiql.min.js",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
        JS,
    ),
    (
        "graphiql.min.css",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
        CSS,
    ),
    (
        "seam-graphiql.js",
        include_bytes!("../../assets/graphiql/seam-graphiql.js"),
        JS,
    ),
];

const VERSIONS: &str = include_str!("../../assets/graphiql/VERSIONS");

struct Asset {
    /// The path under `ASSETS_PREFIX`: `<package>-<version>/<file>`.
    path: String,
    bytes: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(file, bytes, content_type)| {
            let digest = hex(&Sha256::digest(bytes));
            // A file of ours has no npm version: its hash stands in for one.
            let dir = vendored(file).unwrap_or_else(|| format!("seam-{}", &digest[..16]));
            Asset {
                path: format!("{dir}/{file}"),
                bytes,
                content_type,
                etag: HeaderValue::from_str(&format!("\"{digest}\""))
                    .expect("hex is a valid header"),
            }
        })
        .collect()
});

/// `<package>-<version>` of a file listed in VERSIONS.
fn vendored(file: &str) -> Option<String> {
    VERSIONS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|fields| fields.len() == 4 && fields[3] == file)
        .map(|fields| format!("{}-{}", fields[0], fields[1]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let mut head = String::new();
    let mut body = String::new();
    for asset in ASSETS.iter() {
        let url = format!("{ASSETS_PREFIX}{}", asset.path);
        if asset.content_type == CSS {
            head.push_str(&format!("    <link rel=\"stylesheet\" href=\"{url}\" />\n"));
        } else {
            body.push_str(&format!("    <script src=\"{url}\"></script>\n"));
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\" />\n    \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n    \
         <title>seam-graphql</title>\n{head}  </head>\n  \
         <body style=\"margin: 0\">\n    <div id=\"graphiql\" style=\"height: 100vh\">Loading…</div>\n\
         {body}  </body>\n</html>\n"
    )
});

/// The GraphiQL page.
pub(crate) fn page() -> Response {
    let mut response = Html(PAGE.as_str()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    // The page names the current asset URLs, so it must not outlive a deploy.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /graphiql/assets/<package>-<version>/<file>`.
pub(crate) async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = [
        (
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (ETAG, asset.etag.clone()),
    ];
    if headers.get(IF_NONE_MATCH) == Some(&asset.etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [
            (CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        asset.bytes,
    )
        .into_response()
}
