//! The stylesheet and the script, served at `/assets/<name>`. Pages link them as
//! `/assets/<name>?v=<hash of the content>`, so a response can be cached for good: a changed file
//! is a new URL. Each is compressed once, at start, and sent gzipped to a browser that accepts it
//! (a third of the bytes on a phone's first visit). Pages are not compressed: they carry a CSRF
//! token beside text the visitor controls, which compression would let an attacker guess (BREACH).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::{Web, embedded};

pub(crate) struct Asset {
    content_type: &'static str,
    body: Bytes,
    /// The body gzipped, when that is smaller.
    gzip: Option<Bytes>,
    /// The first hex digits of the content's SHA-256: the link's `v` and the ETag.
    version: String,
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < body.len()).then(|| Bytes::from(compressed))
}

/// Whether `Accept-Encoding` accepts gzip: named without `q=0`, or else `*` without it.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let codings: Vec<(String, bool)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name, !refused)
        })
        .collect();
    let said = |name: &str| codings.iter().find(|(n, _)| n == name).map(|(_, ok)| *ok);
    said("gzip").or_else(|| said("*")).unwrap_or(false)
}

pub(crate) struct Assets(BTreeMap<&'static str, Asset>);

impl Assets {
    /// The built-in assets, each replaced by `{overrides_dir}/assets/<same name>` when it exists.
    pub(crate) fn load(overrides_dir: Option<&Path>) -> anyhow::Result<Assets> {
        let mut assets = BTreeMap::new();
        for (name, content) in embedded::ASSETS {
            let replacement = overrides_dir.map(|dir| dir.join("assets").join(name));
            let body = match replacement.filter(|path| path.is_file()) {
                Some(path) => Bytes::from(
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
                ),
                None => Bytes::from_static(content),
            };
            let version = hex::encode(&Sha256::digest(&body)[..6]);
            let asset = Asset {
                content_type: content_type(name),
                gzip: gzip(&body),
                body,
                version,
            };
            assets.insert(*name, asset);
        }
        Ok(Assets(assets))
    }

    /// `/assets/<name>?v=<hash>`, or `None` for an unknown name.
    pub(crate) fn url(&self, name: &str) -> Option<String> {
        let asset = self.0.get(name)?;
        Some(format!("/assets/{name}?v={}", asset.version))
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /assets/{name}`, for any state: the router carries its own.
pub fn assets_routes<S: Clone + Send + Sync + 'static>(web: Arc<Web>) -> Router<S> {
    Router::new()
        .route("/assets/{name}", get(serve))
        .with_state(web)
}

async fn serve(
    State(web): State<Arc<Web>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = web.assets.0.get(name.as_str()) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let gzipped = asset.gzip.as_ref().filter(|_| accepts_gzip(&headers));
    // Each encoding is its own representation, with its own tag; either one held by the browser
    // is the current version.
    let etag = match gzipped {
        Some(_) => format!("\"{}-gzip\"", asset.version),
        None => format!("\"{}\"", asset.version),
    };
    let cached = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            let opaque = tag.trim_start_matches("W/").trim_matches('"');
            tag == "*" || opaque.strip_suffix("-gzip").unwrap_or(opaque) == asset.version
        });
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = gzipped.unwrap_or(&asset.body).clone().into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        if gzipped.is_some() {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex digits"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn router(web: Web) -> Router {
        assets_routes(Arc::new(web))
    }

    async fn get(router: &Router, uri: &str, if_none_match: Option<&str>) -> Response {
        get_with(router, uri, if_none_match, None).await
    }

    async fn get_with(
        router: &Router,
        uri: &str,
        if_none_match: Option<&str>,
        accept_encoding: Option<&str>,
    ) -> Response {
        let mut request = Request::get(uri);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        if let Some(codings) = accept_encoding {
            request = request.header(header::ACCEPT_ENCODING, codings);
        }
        let request = request.body(Body::empty()).unwrap();
        router.clone().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_known_asset_has_its_type_an_etag_and_answers_304_to_it() {
        let web = Web::new(None, "https://kyc.example.com").unwrap();
        let url = web.assets.url("dossier.css").unwrap();
        let router = router(web);

        let response = get(&router, &url, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/css; charset=utf-8");
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let etag = h[header::ETAG].to_str().unwrap().to_string();
        assert!(url.ends_with(etag.trim_matches('"')), "{url} {etag}");

        let again = get(&router, "/assets/dossier.css", Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let listed = format!("\"other\", W/{etag}");
        let again = get(&router, "/assets/dossier.css", Some(&listed)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let stale = get(&router, "/assets/dossier.css", Some("\"other\"")).await;
        assert_eq!(stale.status(), StatusCode::OK);

        let js = get(&router, "/assets/dossier.js", None).await;
        assert_eq!(
            js.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
    }

    #[tokio::test]
    async fn an_asset_is_gzipped_for_a_browser_that_accepts_it() {
        let web = Web::new(None, "https://kyc.example.com").unwrap();
        let router = router(web);
        let plain = get(&router, "/assets/dossier.css", None).await;
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(plain.headers()[header::VARY], "accept-encoding");
        let plain_tag = plain.headers()[header::ETAG].to_str().unwrap().to_string();
        let plain = axum::body::to_bytes(plain.into_body(), 1 << 20)
            .await
            .unwrap();

        for codings in ["*", "GZIP"] {
            let response = get_with(&router, "/assets/dossier.css", None, Some(codings)).await;
            assert_eq!(
                response.headers()[header::CONTENT_ENCODING],
                "gzip",
                "{codings}"
            );
        }
        let zipped = get_with(&router, "/assets/dossier.css", None, Some("br, gzip;q=0.8")).await;
        assert_eq!(zipped.status(), StatusCode::OK);
        assert_eq!(zipped.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(zipped.headers()[header::VARY], "accept-encoding");
        let zipped_tag = zipped.headers()[header::ETAG].to_str().unwrap().to_string();
        assert_ne!(zipped_tag, plain_tag);
        let zipped = axum::body::to_bytes(zipped.into_body(), 1 << 20)
            .await
            .unwrap();
        assert!(
            zipped.len() < plain.len() / 2,
            "{} of {}",
            zipped.len(),
            plain.len()
        );
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&zipped[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, plain, "the same stylesheet");

        // Refused or not named: the plain body.
        for codings in ["gzip;q=0", "gzip;q=0, *", "br, zstd", "identity"] {
            let response = get_with(&router, "/assets/dossier.css", None, Some(codings)).await;
            assert!(
                response.headers().get(header::CONTENT_ENCODING).is_none(),
                "{codings}"
            );
        }
        // Either representation's tag is the current version.
        for tag in [&plain_tag, &zipped_tag] {
            let again = get_with(&router, "/assets/dossier.css", Some(tag), Some("gzip")).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{tag}");
        }
    }

    #[tokio::test]
    async fn an_unknown_asset_is_404() {
        let router = router(Web::new(None, "https://kyc.example.com").unwrap());
        let response = get(&router, "/assets/nope.css", None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = get(&router, "/assets/..%2FCargo.toml", None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn an_operator_stylesheet_replaces_the_built_in_one() {
        let dir = super::super::tests::temp_dir("assets");
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("assets/dossier.css"), "body{color:red}").unwrap();
        let web = Web::new(Some(&dir), "https://kyc.example.com").unwrap();
        let builtin = Web::new(None, "https://kyc.example.com").unwrap();
        let url = web.assets.url("dossier.css").unwrap();
        assert_ne!(url, builtin.assets.url("dossier.css").unwrap());
        let response = get(&router(web), &url, None).await;
        let body = axum::body::to_bytes(response.into_body(), 1000)
            .await
            .unwrap();
        assert_eq!(&body[..], b"body{color:red}");
    }
}
