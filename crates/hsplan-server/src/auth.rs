//! Who is calling, and whether they may: one rule per route ([`RULES`]), checked before any
//! handler runs, on a shared (PostgreSQL) store. A route without a rule is refused (and the
//! authorization-matrix test, generated from the OpenAPI route list, fails the build).
//!
//! Sessions come as a bearer token (`Authorization: Bearer …`, API clients) or as the
//! HTTP-only, SameSite=Strict `hsplan_session` cookie (the web app); changes made under the
//! cookie must echo the session's CSRF token in `X-CSRF-Token`. Rules say which action a
//! route needs somewhere in the caller's grants; *where* (the unit subtree) is decided by
//! the application layer, which cuts every read to the caller's scope.
//!
//! On an SQLite store (one planner on their own machine) there are no accounts: every
//! request is the local user's.

use crate::State;
use crate::problem::Problem;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hsplan_govern::{Action, Principal};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "hsplan_session";

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone (health, messages, the login itself, the API description).
    Public,
    /// A session whose grants allow the action somewhere (scope is applied to the data).
    Signed(Action),
    /// A session allowed one of the actions somewhere.
    SignedAny(&'static [Action]),
    /// A session allowed the action on the whole store (region-wide inputs: the siting
    /// folder, its jobs and scenarios).
    RegionWide(Action),
}

/// Every route of the API with its rule (method, path as routed, rule).
pub const RULES: &[(&str, &str, Rule)] = &[
    ("GET", "/api/health", Rule::Public),
    ("GET", "/api/config", Rule::Public),
    ("GET", "/api/messages", Rule::Public),
    ("GET", "/api/openapi.json", Rule::Public),
    ("POST", "/api/session", Rule::Public),
    ("DELETE", "/api/session", Rule::Signed(Action::Read)),
    ("GET", "/api/me", Rule::Signed(Action::Read)),
    ("GET", "/api/status", Rule::Signed(Action::Read)),
    ("GET", "/api/units", Rule::Signed(Action::Read)),
    ("GET", "/api/units/{code}", Rule::Signed(Action::Read)),
    (
        "GET",
        "/api/units/{code}/children",
        Rule::Signed(Action::Read),
    ),
    ("GET", "/api/facilities", Rule::Signed(Action::Read)),
    (
        "GET",
        "/api/facilities/{id}/years/{year}",
        Rule::Signed(Action::Read),
    ),
    (
        "PUT",
        "/api/facilities/{id}/years/{year}",
        Rule::Signed(Action::EnterData),
    ),
    ("GET", "/api/indicators", Rule::Signed(Action::Read)),
    ("GET", "/api/plans", Rule::Signed(Action::Read)),
    ("POST", "/api/plans/check", Rule::Signed(Action::Read)),
    ("GET", "/api/plans/{id}", Rule::Signed(Action::Read)),
    ("GET", "/api/plans/{id}/ledger", Rule::Signed(Action::Read)),
    ("GET", "/api/plans/{id}/source", Rule::Signed(Action::Read)),
    // where the user may edit (the plan's jurisdiction) is checked by the app
    (
        "PUT",
        "/api/plans/{id}/source",
        Rule::Signed(Action::EditPlans),
    ),
    (
        "GET",
        "/api/plans/{id}/versions",
        Rule::Signed(Action::Read),
    ),
    (
        "GET",
        "/api/plans/{id}/versions/{version}",
        Rule::Signed(Action::Read),
    ),
    ("GET", "/api/plans/{id}/diff", Rule::Signed(Action::Read)),
    ("GET", "/api/plans/{id}/tasks", Rule::Signed(Action::Read)),
    // the parent's whole jurisdiction must be within the reader's scope: checked by the app
    ("GET", "/api/plans/{id}/compare", Rule::Signed(Action::Read)),
    (
        "GET",
        "/api/plans/{id}/tasks/{item}/updates",
        Rule::Signed(Action::Read),
    ),
    // who may report is decided per item: the units the user acts for, or a coordinator
    (
        "POST",
        "/api/plans/{id}/tasks/{item}/updates",
        Rule::Signed(Action::Read),
    ),
    (
        "GET",
        "/api/plans/{id}/updates/{update}/attachment",
        Rule::Signed(Action::Read),
    ),
    ("GET", "/api/evaluations", Rule::Signed(Action::Read)),
    ("GET", "/api/evaluations/report", Rule::Signed(Action::Read)),
    ("GET", "/api/quality", Rule::Signed(Action::Read)),
    ("GET", "/api/quality/report", Rule::Signed(Action::Read)),
    ("GET", "/api/standards", Rule::Signed(Action::Read)),
    ("POST", "/api/standards/check", Rule::Signed(Action::Read)),
    ("GET", "/api/map/choropleth", Rule::Signed(Action::Read)),
    (
        "POST",
        "/api/imports/{kind}",
        Rule::SignedAny(&[Action::EnterData, Action::ImportRegister]),
    ),
    ("GET", "/api/exports/{kind}", Rule::Signed(Action::Read)),
    ("GET", "/api/approvals", Rule::Signed(Action::Read)),
    (
        "POST",
        "/api/approvals/{unit}/{year}/{action}",
        Rule::SignedAny(&[Action::Submit, Action::Approve, Action::Unlock]),
    ),
    ("GET", "/api/audit", Rule::Signed(Action::ReadAudit)),
    ("GET", "/api/audit/export", Rule::Signed(Action::ReadAudit)),
    (
        "POST",
        "/api/jobs/siting",
        Rule::RegionWide(Action::Analyse),
    ),
    (
        "POST",
        "/api/jobs/access",
        Rule::RegionWide(Action::Analyse),
    ),
    ("GET", "/api/jobs/{id}", Rule::RegionWide(Action::Analyse)),
    (
        "POST",
        "/api/jobs/{id}/cancel",
        Rule::RegionWide(Action::Analyse),
    ),
    (
        "GET",
        "/api/jobs/{id}/events",
        Rule::RegionWide(Action::Analyse),
    ),
    ("GET", "/api/scenarios", Rule::RegionWide(Action::Analyse)),
    (
        "GET",
        "/api/scenarios/{name}",
        Rule::RegionWide(Action::Analyse),
    ),
    (
        "POST",
        "/api/scenarios/{name}/apply",
        Rule::RegionWide(Action::ImportRegister),
    ),
];

/// The rule of a routed path.
pub fn rule_for(method: &Method, path: &str) -> Option<Rule> {
    RULES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == path)
        .map(|(_, _, r)| *r)
}

/// The caller of a request, as the handlers see it.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The signed-in user (None on a store without accounts).
    pub principal: Option<Principal>,
    /// Client address.
    pub address: String,
    /// The session token, if the request carried one.
    pub token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default())
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

/// The client's address (the proxy's first `X-Forwarded-For` entry when trusted).
fn address(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().chars().take(64).collect();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

fn problem(status: StatusCode, kind: &'static str, detail: &str) -> Response {
    let mut r = Problem::new(status, kind, detail).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"hsplan\""),
        );
    }
    r
}

/// The middleware: finds the route's rule, the session, checks CSRF and the rule, and
/// hands the handlers a [`Caller`].
pub async fn layer(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    mut req: Request,
    next: Next,
) -> Response {
    let address = address(&req, state.trust_proxy);
    let Some(path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        // not an API route (assets, the API reference page, unknown paths)
        return next.run(req).await;
    };
    if !path.starts_with("/api/") || path.starts_with("/api/docs") {
        return next.run(req).await;
    }
    let Some(rule) = rule_for(req.method(), &path) else {
        if RULES.iter().any(|(_, p, _)| *p == path) {
            // a method the route does not have: the router answers 405, no handler runs
            return next.run(req).await;
        }
        tracing::error!("route {} {path} has no authorization rule", req.method());
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "this route has no authorization rule",
        );
    };
    if !state.workspace.governed() {
        req.extensions_mut().insert(Caller {
            principal: None,
            address,
            token: None,
        });
        return next.run(req).await;
    }
    let bearer = bearer_token(req.headers());
    let cookie = cookie_token(req.headers());
    let via_cookie = bearer.is_none() && cookie.is_some();
    let token = bearer.or(cookie);
    if rule == Rule::Public {
        req.extensions_mut().insert(Caller {
            principal: None,
            address,
            token,
        });
        return next.run(req).await;
    }
    let Some(token) = token else {
        return problem(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first");
    };
    let session = match state.sessions.get(&token) {
        Some(hit) => Ok(Ok(Some(hit))),
        None => {
            let st = state.clone();
            let t = token.clone();
            let found = tokio::task::spawn_blocking(move || {
                hsplan_app::governance::session(&st.workspace, &t)
            })
            .await;
            if let Ok(Ok(Some(s))) = &found {
                state.sessions.put(&token, s.clone());
            }
            found
        }
    };
    let (principal, csrf) = match session {
        Ok(Ok(Some(s))) => s,
        Ok(Ok(None)) => {
            return problem(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the session has ended or is unknown; sign in again",
            );
        }
        Ok(Err(e)) => return Problem::from(e).into_response(),
        Err(_) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "worker failed",
            );
        }
    };
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && !safe {
        let sent = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !hsplan_govern::secrets::same_secret(sent, &csrf) {
            return problem(
                StatusCode::FORBIDDEN,
                "csrf",
                "the request lacks the session's X-CSRF-Token",
            );
        }
    }
    let allowed = match rule {
        Rule::Public => true,
        Rule::Signed(a) => principal.can_somewhere(a),
        Rule::SignedAny(actions) => actions.iter().any(|a| principal.can_somewhere(*a)),
        Rule::RegionWide(a) => hsplan_app::governance::covers_everything(
            &state.workspace.snapshot().sys,
            &principal,
            a,
        ),
    };
    if !allowed {
        return problem(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your roles do not allow this",
        );
    }
    req.extensions_mut().insert(Caller {
        principal: Some(principal),
        address,
        token: Some(token),
    });
    next.run(req).await
}

/// Sessions recently checked against the store, kept for [`SESSION_CACHE`] so a request
/// does not cost a database round trip. Sign-outs through this server take effect at once;
/// a session ended elsewhere (a password change from the command line) within that time.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (Principal, String, Instant)>>,
}

/// How long a checked session is trusted without asking the store again.
pub const SESSION_CACHE: Duration = Duration::from_secs(5);

impl SessionCache {
    fn key(token: &str) -> String {
        hsplan_govern::secrets::token_digest(token)
    }

    /// The cached session of a token, if checked recently.
    pub fn get(&self, token: &str) -> Option<(Principal, String)> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&Self::key(token))
            .filter(|(_, _, at)| at.elapsed() < SESSION_CACHE)
            .map(|(p, c, _)| (p.clone(), c.clone()))
    }

    /// Remembers a session just checked.
    pub fn put(&self, token: &str, (p, csrf): (Principal, String)) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (_, _, at)| at.elapsed() < SESSION_CACHE);
        }
        map.insert(Self::key(token), (p, csrf, Instant::now()));
    }

    /// Forgets a session (signed out).
    pub fn remove(&self, token: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&Self::key(token));
    }
}

/// Failed logins per key, within a window: more than a few and the key must wait.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Failures allowed per user name and address in a window.
pub const MAX_FAILURES_PER_USER: u32 = 5;
/// Failures allowed per address (any user names) in a window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    fn keys(user: &str, address: &str) -> [(String, u32); 2] {
        [
            (format!("u:{address}:{user}"), MAX_FAILURES_PER_USER),
            (format!("a:{address}"), MAX_FAILURES_PER_ADDRESS),
        ]
    }

    /// Seconds to wait before trying again, if the limit is reached.
    pub fn blocked(&self, user: &str, address: &str) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(user, address).iter().find_map(|(k, max)| {
            map.get(k).and_then(|(n, since)| {
                let elapsed = since.elapsed();
                (*n >= *max && elapsed < WINDOW).then(|| (WINDOW - elapsed).as_secs().max(1))
            })
        })
    }

    /// Counts a failure.
    pub fn failed(&self, user: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        for (k, _) in Self::keys(user, address) {
            let e = map.entry(k).or_insert((0, Instant::now()));
            if e.1.elapsed() >= WINDOW {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    /// Forgets a user's failures after a success.
    pub fn succeeded(&self, user: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("u:{address}:{user}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_blocks_after_repeated_failures_only() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_USER - 1 {
            l.failed("clerk", "1.2.3.4");
        }
        assert!(l.blocked("clerk", "1.2.3.4").is_none());
        l.failed("clerk", "1.2.3.4");
        assert!(l.blocked("clerk", "1.2.3.4").is_some());
        assert!(l.blocked("clerk", "5.6.7.8").is_none());
        assert!(l.blocked("other", "1.2.3.4").is_none());
    }

    #[test]
    fn cookies_and_bearers_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=b; hsplan_session=tok; c=d".parse().unwrap(),
        );
        assert_eq!(cookie_token(&h).as_deref(), Some("tok"));
        h.insert(header::AUTHORIZATION, "Bearer xyz".parse().unwrap());
        assert_eq!(bearer_token(&h).as_deref(), Some("xyz"));
    }
}
