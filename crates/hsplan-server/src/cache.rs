//! Responses of read endpoints kept per store snapshot: a result is a pure function of the
//! snapshot and the request, so the same request on the same snapshot is answered from
//! memory. An import publishes a new snapshot version, and entries of older versions are
//! dropped. Bounded in entries and bytes.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Most entries kept.
const MAX_ENTRIES: usize = 1024;
/// Most bytes kept.
const MAX_BYTES: usize = 256 * 1024 * 1024;
/// Largest single response kept.
const MAX_ENTRY: usize = 16 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

/// The cache.
#[derive(Default)]
pub struct ResponseCache {
    enabled: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    version: u64,
    entries: BTreeMap<String, Entry>,
    order: VecDeque<String>,
    bytes: usize,
}

/// Paths whose GET responses depend only on the snapshot and the request.
fn cacheable(path: &str) -> bool {
    [
        "/api/status",
        "/api/messages",
        "/api/units",
        "/api/facilities",
        "/api/indicators",
        "/api/plans",
        "/api/evaluations",
        "/api/standards",
        "/api/quality",
        "/api/map/",
        "/api/exports/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
        // a facility-year form carries its version and approval state from the store
        && !path.contains("/years/")
        // task progress lives outside the snapshot
        && !path.contains("/tasks")
        // a plan's source says whether the caller may edit it; versions live in the store
        && !path.ends_with("/source")
        && !path.contains("/versions")
        && !path.ends_with("/diff")
}

impl ResponseCache {
    /// A cache, or one that keeps nothing.
    pub fn new(enabled: bool) -> Self {
        ResponseCache {
            enabled,
            inner: Mutex::default(),
        }
    }

    fn get(&self, version: u64, key: &str) -> Option<Entry> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.version != version {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    fn put(&self, version: u64, key: String, entry: Entry) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.version != version {
            if version < inner.version {
                return;
            }
            *inner = Inner {
                version,
                ..Inner::default()
            };
        }
        if inner.entries.contains_key(&key) {
            return;
        }
        inner.bytes += entry.body.len();
        inner.entries.insert(key.clone(), entry);
        inner.order.push_back(key);
        while inner.entries.len() > MAX_ENTRIES || inner.bytes > MAX_BYTES {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(e) = inner.entries.remove(&old) {
                inner.bytes -= e.body.len();
            }
        }
    }
}

/// Middleware: answers cacheable GETs from the cache, or runs them and keeps a 200.
pub async fn layer(State(state): State<Arc<crate::State>>, req: Request, next: Next) -> Response {
    if !state.cache.enabled || req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    // the same request from callers with different scopes has different answers
    let scope = req
        .extensions()
        .get::<crate::auth::Caller>()
        .and_then(|c| c.principal.as_ref())
        .map(|p| p.scope_key())
        .unwrap_or_default();
    let key = format!("{scope}|{}", req.uri());
    let version = state.workspace.snapshot().version;
    if let Some(e) = state.cache.get(version, &key) {
        let mut r = Body::from(e.body).into_response();
        *r.headers_mut() = e.headers;
        r.headers_mut()
            .insert("x-hsplan-cache", HeaderValue::from_static("hit"));
        return r;
    }
    let r = next.run(req).await;
    if r.status() != StatusCode::OK {
        return r;
    }
    // Only bodies of known, modest size are kept; anything else goes out as it is.
    use axum::body::HttpBody;
    if r.body()
        .size_hint()
        .exact()
        .is_none_or(|n| n > MAX_ENTRY as u64)
    {
        return r;
    }
    let (parts, body) = r.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ENTRY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "response body failed").into_response();
    };
    let mut headers = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::CONTENT_DISPOSITION] {
        if let Some(v) = parts.headers.get(&name) {
            headers.insert(name, v.clone());
        }
    }
    state.cache.put(
        version,
        key,
        Entry {
            headers,
            body: bytes.clone(),
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}
