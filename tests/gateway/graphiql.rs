//! GraphiQL without internet: the page at `GET /graphql` loads only files the gateway embeds.

use std::path::PathBuf;

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, LOCATION};
use reqwest::StatusCode;

use crate::support::TestGateway;

/// The page's `<script>` and `<link>` tags, each as (tag name, whole tag, src or href, inline body).
fn tags(html: &str) -> Vec<(&'static str, String, Option<String>, String)> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for name in ["script", "link"] {
        let open = format!("<{name}");
        let mut from = 0;
        while let Some(at) = lower[from..].find(&open).map(|i| from + i) {
            let end = at + lower[at..].find('>').expect("tag is closed");
            let tag = html[at..=end].to_string();
            let attr = if name == "script" {
                "src=\""
            } else {
                "href=\""
            };
            let url = lower[at..end].find(attr).map(|i| {
                let start = at + i + attr.len();
                html[start..start + html[start..].find('"').expect("quoted")].to_string()
            });
            let body = if name == "script" {
                let close = end + lower[end..].find("</script>").expect("script is closed");
                html[end + 1..close].to_string()
            } else {
                String::new()
            };
            found.push((
                if name == "script" { "script" } else { "link" },
                tag,
                url,
                body,
            ));
            from = end;
        }
    }
    found
}

async fn page(t: &TestGateway) -> (reqwest::header::HeaderMap, String) {
    // As a browser asks: GraphiQL is served to clients that want HTML.
    let response = reqwest::Client::new()
        .get(format!("http://{}/graphql", t.gateway.addr()))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (headers, response.text().await.expect("html"))
}

fn asset_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/graphiql")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn should_load_graphiql_only_from_the_gateway_itself() {
    let t = TestGateway::start().await;
    let (_, html) = page(&t).await;
    let tags = tags(&html);
    assert!(
        tags.iter().filter(|(name, ..)| *name == "script").count() >= 4,
        "React, ReactDOM, GraphiQL and the bootstrap: {html}"
    );
    for (name, tag, url, body) in &tags {
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.contains("http://") && !lower.contains("https://"),
            "{tag} loads from elsewhere"
        );
        // The CSP allows no inline script, so the page must not rely on one.
        assert!(body.trim().is_empty(), "inline script: {body}");
        let url = url
            .as_deref()
            .unwrap_or_else(|| panic!("{tag} names no file"));
        assert!(url.starts_with("/graphiql/assets/"), "{name}: {url}");
    }
}

#[tokio::test]
async fn should_serve_every_file_the_page_names_as_embedded() {
    let t = TestGateway::start().await;
    let (_, html) = page(&t).await;
    let versions = String::from_utf8(asset_file("VERSIONS")).expect("utf-8");
    let http = reqwest::Client::new();
    let urls: Vec<String> = tags(&html)
        .into_iter()
        .filter_map(|(.., url, _)| url)
        .collect();
    assert_eq!(urls.len(), 5, "{html}");
    for url in urls {
        let response = http
            .get(format!("http://{}{url}", t.gateway.addr()))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let file = url.rsplit('/').next().expect("file name");
        let expected_type = if file.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        let headers = response.headers().clone();
        let content_type = headers[CONTENT_TYPE].to_str().expect("ascii");
        assert!(
            content_type.starts_with(expected_type),
            "{url}: {content_type}"
        );
        let cache = headers[CACHE_CONTROL].to_str().expect("ascii");
        assert!(cache.contains("immutable"), "{url}: {cache}");
        // A vendored file's URL carries the version it was fetched at.
        if let Some(line) = versions.lines().find(|l| l.ends_with(&format!(" {file}"))) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let dir = format!("/{}-{}/", fields[0], fields[1]);
            assert!(url.contains(&dir), "{url} lacks {dir}");
        }
        let bytes = response.bytes().await.expect("bytes");
        assert!(
            bytes[..] == asset_file(file)[..],
            "{url} differs from assets/graphiql/{file}"
        );

        // An unchanged file is not sent again.
        let again = http
            .get(format!("http://{}{url}", t.gateway.addr()))
            .header("if-none-match", headers[ETAG].clone())
            .send()
            .await
            .expect("revalidate");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{url}");
    }

    let missing = http
        .get(format!(
            "http://{}/graphiql/assets/react-0.0.0/react.production.min.js",
            t.gateway.addr()
        ))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn should_send_graphiql_with_a_content_security_policy() {
    let t = TestGateway::start().await;
    let (headers, _) = page(&t).await;
    let csp = headers
        .get(CONTENT_SECURITY_POLICY)
        .expect("Content-Security-Policy")
        .to_str()
        .expect("ascii");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .expect("script-src");
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn should_redirect_the_root_to_graphiql() {
    let t = TestGateway::start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = http
        .get(format!("http://{}/", t.gateway.addr()))
        .send()
        .await
        .expect("root");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[LOCATION], "/graphql");
}
