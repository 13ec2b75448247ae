//! # hsplan-server — the HTTP API and the web app
//!
//! axum on tokio: a JSON API over the application layer (`hsplan-app`), its OpenAPI 3.1
//! document generated from the handlers' types (`/api/openapi.json`, reference page at
//! `/api/docs` from vendored assets), errors as `application/problem+json`, long runs as
//! jobs with progress over Server-Sent Events, and the web app's assets embedded in the
//! binary (it works with no network at all).
//!
//! Must not: compute anything itself. Handlers parse, call one application function,
//! and return its value.

pub mod api;
pub mod auth;
pub mod cache;
pub mod jobs;
pub mod problem;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hsplan_app::Workspace;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;

/// The web app's built bundle (see `web/`; rebuilt and compared by CI).
static ASSETS: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Largest upload accepted.
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// What the handlers share.
pub struct State {
    /// The store.
    pub workspace: Workspace,
    /// Long runs.
    pub jobs: jobs::Jobs,
    /// Folder with roads.hsg, demand.csv and facilities.csv for siting, if any.
    pub siting_inputs: Option<PathBuf>,
    /// Folder where scenarios are saved, if any.
    pub scenarios: Option<PathBuf>,
    /// Unit the web app opens on.
    pub home_unit: Option<String>,
    /// Plan the web app opens on.
    pub home_plan: Option<String>,
    /// Responses of read endpoints for the current snapshot.
    pub cache: cache::ResponseCache,
    /// Use the first `X-Forwarded-For` address (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Mark the session cookie `Secure` (served over TLS).
    pub secure_cookies: bool,
    /// Failed logins.
    pub logins: auth::LoginLimiter,
    /// Sessions checked in the last seconds.
    pub sessions: auth::SessionCache,
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The store: an SQLite file or a `postgres://` URL.
    pub db: hsplan_app::StoreLocation,
    /// Address to listen on.
    pub addr: std::net::SocketAddr,
    /// Siting inputs folder.
    pub siting_inputs: Option<PathBuf>,
    /// Where scenarios are kept (default: beside the siting inputs).
    pub scenarios: Option<PathBuf>,
    /// Unit the web app opens on.
    pub home_unit: Option<String>,
    /// Plan the web app opens on.
    pub home_plan: Option<String>,
    /// Keep responses of read endpoints per snapshot (on by default).
    pub cache: bool,
    /// Behind a reverse proxy: take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Session cookies only over HTTPS.
    pub secure_cookies: bool,
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "hsplan API", description = "Regional health plans as a living, measurable model of the health service system: region, plans, evaluation, standards, map layers, data, siting."),
    paths(
        api::health, api::config, api::messages, api::status, api::search_units, api::unit, api::children,
        api::facilities, api::indicators, api::plans, api::plan, api::check_plan, api::ledger,
        api::evaluation, api::evaluation_report, api::quality, api::quality_report, api::standards, api::check_standards_file, api::choropleth, api::import,
        api::export, api::start_siting, api::start_access, api::job, api::cancel_job, api::job_events,
        api::scenarios, api::scenario, api::apply_scenario,
        api::login, api::logout, api::me, api::facility_year_form, api::save_facility_year,
        api::approvals, api::approval_step, api::audit, api::audit_export,
        api::task_board, api::plan_compare, api::task_updates, api::post_task_update, api::task_attachment,
        api::plan_source, api::save_plan_source, api::plan_versions, api::plan_version, api::plan_diff
    ),
    components(schemas(hsplan_app::data::UploadKind, hsplan_app::data::ExportFormat)),
    tags(
        (name = "region", description = "The hierarchy, units, facilities and indicators"),
        (name = "plans", description = "Plans as data, lint and ledgers"),
        (name = "evaluation", description = "Plan evaluation and its reports"),
        (name = "standards", description = "Allocation standards"),
        (name = "map", description = "Map layers drawn from the store"),
        (name = "data", description = "Uploads and downloads"),
        (name = "siting", description = "Siting jobs and scenarios"),
        (name = "system", description = "Health and settings"),
        (name = "session", description = "Signing in and out"),
        (name = "entry", description = "Data entry, approval and the audit log"),
    ),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

/// The two ways to present a session.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::COOKIE))),
        );
        // every route that needs a session may answer 401 (none, or ended) and 403 (the
        // roles do not allow it; a cookie change without its CSRF token)
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |d: &str| {
            ResponseBuilder::new()
                .description(d)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("GET", item.get.as_mut()),
                ("PUT", item.put.as_mut()),
                ("POST", item.post.as_mut()),
                ("DELETE", item.delete.as_mut()),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let method = axum::http::Method::from_bytes(method.as_bytes()).expect("method");
                if matches!(
                    auth::rule_for(&method, path),
                    Some(auth::Rule::Public) | None
                ) {
                    continue;
                }
                let r = &mut op.responses.responses;
                r.entry("401".into()).or_insert_with(|| {
                    problem("No session, or it has ended (shared store)").into()
                });
                r.entry("403".into()).or_insert_with(|| {
                    problem("The caller's roles do not allow this (shared store)").into()
                });
            }
        }
    }
}

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

async fn openapi() -> Response {
    let mut r = openapi_json().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves an embedded asset; any other path that is not under /api gets the app's
/// index (client-side routes).
async fn asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") || path == "api" {
        return problem::Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: {}", uri.path()),
        )
        .into_response();
    }
    let (file, name) = match ASSETS.get_file(path) {
        Some(f) if !path.is_empty() => (f, path),
        _ => match ASSETS.get_file("index.html") {
            Some(f) => (f, "index.html"),
            None => return (StatusCode::NOT_FOUND, "the web app is not built").into_response(),
        },
    };
    let mut r = file.contents().to_vec().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; script-src 'self'",
        ),
    );
    r
}

/// The whole application: API, OpenAPI, reference page and web app.
pub fn router(state: Arc<State>) -> Router {
    use tower_http::compression::CompressionLayer;
    use tower_http::timeout::TimeoutLayer;
    let api = Router::new()
        .route("/api/health", get(api::health))
        .route("/api/config", get(api::config))
        .route("/api/messages", get(api::messages))
        .route("/api/status", get(api::status))
        .route("/api/units", get(api::search_units))
        .route("/api/units/{code}", get(api::unit))
        .route("/api/units/{code}/children", get(api::children))
        .route("/api/facilities", get(api::facilities))
        .route(
            "/api/facilities/{id}/years/{year}",
            get(api::facility_year_form).put(api::save_facility_year),
        )
        .route("/api/session", post(api::login).delete(api::logout))
        .route("/api/me", get(api::me))
        .route("/api/approvals", get(api::approvals))
        .route(
            "/api/approvals/{unit}/{year}/{action}",
            post(api::approval_step),
        )
        .route("/api/audit", get(api::audit))
        .route("/api/audit/export", get(api::audit_export))
        .route("/api/indicators", get(api::indicators))
        .route("/api/plans", get(api::plans))
        .route("/api/plans/check", post(api::check_plan))
        .route("/api/plans/{id}", get(api::plan))
        .route("/api/plans/{id}/ledger", get(api::ledger))
        .route(
            "/api/plans/{id}/source",
            get(api::plan_source).put(api::save_plan_source),
        )
        .route("/api/plans/{id}/versions", get(api::plan_versions))
        .route("/api/plans/{id}/versions/{version}", get(api::plan_version))
        .route("/api/plans/{id}/diff", get(api::plan_diff))
        .route("/api/plans/{id}/tasks", get(api::task_board))
        .route("/api/plans/{id}/compare", get(api::plan_compare))
        .route(
            "/api/plans/{id}/tasks/{item}/updates",
            get(api::task_updates).post(api::post_task_update),
        )
        .route(
            "/api/plans/{id}/updates/{update}/attachment",
            get(api::task_attachment),
        )
        .route("/api/evaluations", get(api::evaluation))
        .route("/api/evaluations/report", get(api::evaluation_report))
        .route("/api/standards", get(api::standards))
        .route("/api/standards/check", post(api::check_standards_file))
        .route("/api/quality", get(api::quality))
        .route("/api/quality/report", get(api::quality_report))
        .route("/api/map/choropleth", get(api::choropleth))
        .route("/api/imports/{kind}", post(api::import))
        .route("/api/exports/{kind}", get(api::export))
        .route("/api/jobs/siting", post(api::start_siting))
        .route("/api/jobs/access", post(api::start_access))
        .route("/api/jobs/{id}", get(api::job))
        .route("/api/jobs/{id}/cancel", post(api::cancel_job))
        .route("/api/scenarios", get(api::scenarios))
        .route("/api/scenarios/{name}", get(api::scenario))
        .route("/api/scenarios/{name}/apply", post(api::apply_scenario))
        .route("/api/openapi.json", get(openapi))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::layer,
        ))
        // event streams last as long as their job, outside the timeout
        .route("/api/jobs/{id}/events", get(api::job_events))
        // outermost: the caller is known (and allowed) before the cache or a handler runs
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::layer,
        ));
    Router::new()
        .merge(api)
        .merge(
            utoipa_swagger_ui::SwaggerUi::new("/api/docs")
                .url("/api/docs/openapi.json", ApiDoc::openapi()),
        )
        .fallback(asset)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Opens the store and builds the shared state (blocking: call it off async threads).
pub fn state(config: &Config) -> hsplan_app::Result<Arc<State>> {
    let workspace = Workspace::open_at(&config.db)?;
    let scenarios = config
        .scenarios
        .clone()
        .or_else(|| config.siting_inputs.as_ref().map(|d| d.join("scenarios")));
    Ok(Arc::new(State {
        workspace,
        jobs: jobs::Jobs::default(),
        siting_inputs: config.siting_inputs.clone(),
        scenarios,
        home_unit: config.home_unit.clone(),
        home_plan: config.home_plan.clone(),
        cache: cache::ResponseCache::new(config.cache),
        trust_proxy: config.trust_proxy,
        secure_cookies: config.secure_cookies,
        logins: auth::LoginLimiter::default(),
        sessions: auth::SessionCache::default(),
    }))
}

/// Serves until Ctrl-C; `ready` is called with the bound address once listening.
pub async fn serve(
    config: Config,
    ready: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    let cfg = config.clone();
    let state = tokio::task::spawn_blocking(move || state(&cfg))
        .await
        .map_err(std::io::Error::other)?
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    ready(listener.local_addr()?);
    // Small responses go out at once (no Nagle delay behind the client's delayed ACK).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::trace!("TCP_NODELAY not set: {e}");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// [`serve`] on its own runtime, for a synchronous caller (the CLI).
pub fn run(config: Config, ready: impl FnOnce(std::net::SocketAddr)) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(config, ready))
}
