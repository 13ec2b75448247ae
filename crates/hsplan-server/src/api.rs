//! The JSON API: each handler parses, calls one application-layer function, and returns
//! its value (or a problem). Paths name what planners name: units, facilities, plans,
//! evaluations, standards, map layers, imports, exports, jobs, scenarios.

use crate::State;
use crate::auth::Caller;
use crate::problem::{ApiResult, Json, Path, Problem, Query};
use axum::body::Bytes;
use axum::extract::State as Shared;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hsplan_app::access::Direction as TravelDirection;
use hsplan_app::data::{ExportFormat, ImportReport, UploadKind};
use hsplan_app::evaluation::EvaluationRequest;
use hsplan_app::geo::{Choropleth, ChoroplethRequest};
use hsplan_app::plans::{PlanCheck, PlanCheckRequest, PlanSummary, PlanTables};
use hsplan_app::quality::QualityResult;
use hsplan_app::region::{
    FacilityQuery, FacilitySummary, IndicatorRow, Page, SearchHit, StatusReport, UnitDetail,
    UnitSummary,
};
use hsplan_app::siting::{ApplyRequest, ModelKind, Scenario};
use hsplan_app::standards::{StandardsFileRequest, StandardsRequest, StandardsResult};
use hsplan_app::{Lang, Mode};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

type S = Shared<Arc<State>>;

/// Runs a workflow on a blocking thread; its error becomes a problem.
async fn blocking<T, F>(f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> hsplan_app::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| {
            tracing::error!("worker failed: {e}");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "worker failed",
            )
        })?
        .map_err(Problem::from)
}

/// Runs a read on the current snapshot, cut to the caller's scope, off the async threads.
async fn read<T, F>(state: &Arc<State>, caller: &Caller, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&hsplan_app::Snapshot) -> hsplan_app::Result<T> + Send + 'static,
{
    let snapshot = state.workspace.snapshot_for(caller.principal.as_ref());
    blocking(move || f(&snapshot)).await
}

/// Service health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// "ok".
    pub status: String,
    /// hsplan version.
    pub version: String,
    /// Store snapshot version.
    pub store_version: u64,
}

/// Whether the server is up.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health)))]
pub async fn health(Shared(state): S) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        store_version: state.workspace.snapshot().version,
    })
}

/// What the store holds.
#[utoipa::path(get, path = "/api/status", tag = "region",
    responses((status = 200, body = StatusReport)))]
pub async fn status(Shared(state): S, caller: Caller) -> ApiResult<Json<StatusReport>> {
    read(&state, &caller, |s| Ok(hsplan_app::region::status(s)))
        .await
        .map(Json)
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A code prefix or part of a name.
    #[param(min_length = 1, pattern = r"\S")]
    pub q: String,
    /// Only below this unit.
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub within: Option<String>,
    /// At most this many hits (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// Units by code prefix or name.
#[utoipa::path(get, path = "/api/units", tag = "region", params(SearchParams),
    responses((status = 200, body = Vec<SearchHit>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn search_units(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<Vec<SearchHit>>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::bad_request("limit", "limit: between 1 and 500"));
    }
    read(&state, &caller, move |s| {
        hsplan_app::region::search(&s.sys, &p.q, p.within.as_deref(), limit)
    })
    .await
    .map(Json)
}

/// Year parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Year (default: the latest with data).
    #[param(minimum = 1949, maximum = 2100)]
    pub year: Option<i64>,
}

/// A unit's page: population, facilities by type and grade, every indicator.
#[utoipa::path(get, path = "/api/units/{code}", tag = "region",
    params(("code" = String, Path, description = "Unit code (2, 4, 6, 9 or 12 digits)", pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$"), YearParam),
    responses((status = 200, body = UnitDetail), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn unit(
    Shared(state): S,
    caller: Caller,
    Path(code): Path<String>,
    Query(p): Query<YearParam>,
) -> ApiResult<Json<UnitDetail>> {
    read(&state, &caller, move |s| {
        hsplan_app::region::unit_detail(&s.sys, &code, p.year)
    })
    .await
    .map(Json)
}

/// The direct sub-units of a unit.
#[utoipa::path(get, path = "/api/units/{code}/children", tag = "region",
    params(("code" = String, Path, description = "Unit code (2, 4, 6, 9 or 12 digits)", pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")),
    responses((status = 200, body = Vec<UnitSummary>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn children(
    Shared(state): S,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<UnitSummary>>> {
    read(&state, &caller, move |s| {
        hsplan_app::region::children(&s.sys, &code)
    })
    .await
    .map(Json)
}

/// Facilities open in a year in a unit's subtree.
#[utoipa::path(get, path = "/api/facilities", tag = "region", params(FacilityQuery),
    responses((status = 200, body = Page<FacilitySummary>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn facilities(
    Shared(state): S,
    caller: Caller,
    Query(q): Query<FacilityQuery>,
) -> ApiResult<Json<Page<FacilitySummary>>> {
    read(&state, &caller, move |s| {
        hsplan_app::region::facilities(&s.sys, &q)
    })
    .await
    .map(Json)
}

/// Indicator parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorParams {
    /// Unit code.
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: String,
    /// Year.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
}

/// Every library indicator for a unit and year.
#[utoipa::path(get, path = "/api/indicators", tag = "region", params(IndicatorParams),
    responses((status = 200, body = Vec<IndicatorRow>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn indicators(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<IndicatorParams>,
) -> ApiResult<Json<Vec<IndicatorRow>>> {
    read(&state, &caller, move |s| {
        let unit = hsplan_app::known_unit(&s.sys, "unit", &p.unit)?;
        let year = hsplan_app::parse_year("year", p.year)?;
        Ok(hsplan_app::region::indicators(&s.sys, unit.code, year))
    })
    .await
    .map(Json)
}

/// The plans (on a shared store, edited plans at their newest version).
#[utoipa::path(get, path = "/api/plans", tag = "plans",
    responses((status = 200, body = Vec<PlanSummary>)))]
pub async fn plans(Shared(state): S) -> Json<Vec<PlanSummary>> {
    Json(hsplan_app::plans::list(&state.workspace.plans()))
}

/// A plan's tables as published, with its lint findings.
#[utoipa::path(get, path = "/api/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanTables), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan(Shared(state): S, Path(id): Path<String>) -> ApiResult<Json<PlanTables>> {
    hsplan_app::plans::show(&state.workspace.plans(), &id)
        .map(Json)
        .map_err(Problem::from)
}

/// Checks a plan file (schema and lint).
#[utoipa::path(post, path = "/api/plans/check", tag = "plans", request_body = PlanCheckRequest,
    responses((status = 415, body = Problem, content_type = "application/problem+json"), (status = 200, body = PlanCheck), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn check_plan(Shared(state): S, Json(req): Json<PlanCheckRequest>) -> Json<PlanCheck> {
    Json(hsplan_app::plans::check(&state.workspace.plans(), &req))
}

/// Project and task ledgers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ledgers {
    /// Projects: totals, by nature, status, start year and plan; stated totals checked.
    #[schema(value_type = Object)]
    pub projects: serde_json::Value,
    /// Tasks: by lead unit, by participating unit, by target year and by section.
    #[schema(value_type = Object)]
    pub tasks: serde_json::Value,
}

/// A plan's project and task ledgers.
#[utoipa::path(get, path = "/api/plans/{id}/ledger", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = Ledgers), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn ledger(Shared(state): S, Path(id): Path<String>) -> ApiResult<Json<Ledgers>> {
    let (projects, tasks) =
        hsplan_app::plans::ledgers(&state.workspace.plans(), &[id]).map_err(Problem::from)?;
    Ok(Json(Ledgers {
        projects: serde_json::to_value(projects).unwrap_or_default(),
        tasks: serde_json::to_value(tasks).unwrap_or_default(),
    }))
}

/// Evaluation parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationParams {
    /// Built-in plan id.
    #[param(example = "beibei-14th-fyp")]
    pub plan: String,
    /// Year evaluated.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
    /// Unit (default: the plan's jurisdiction).
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: Option<String>,
    /// annual, midterm or final.
    #[param(value_type = Option<String>, pattern = r"^(annual|midterm|final)$")]
    pub mode: Option<Mode>,
    /// Language of the report (zh-CN or en).
    #[param(value_type = Option<String>, pattern = r"^(zh-CN|zh|en)$")]
    pub lang: Option<Lang>,
    /// Download format: html, xlsx or csv.
    #[param(pattern = r"^(html|xlsx|csv)$")]
    pub format: Option<String>,
    /// Only approved data (on a shared store): facility-years whose unit's year is
    /// approved or locked; the rest count as not reported.
    pub approved_only: Option<bool>,
}

impl EvaluationParams {
    fn request(&self) -> EvaluationRequest {
        EvaluationRequest {
            plan: self.plan.clone(),
            year: self.year,
            unit: self.unit.clone(),
            mode: self.mode,
        }
    }
}

/// A whole evaluation: rows with baseline, target, expected, actual, status, projection
/// and gap; trends; sub-units and their league tables; equity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct EvaluationDoc(pub serde_json::Value);

/// Evaluates a plan for a unit and year.
#[utoipa::path(get, path = "/api/evaluations", tag = "evaluation", params(EvaluationParams),
    responses((status = 200, body = EvaluationDoc), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "approved_only on a store without approval (SQLite)", body = Problem, content_type = "application/problem+json")))]
pub async fn evaluation(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<EvaluationParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let req = p.request();
    let approved = p.approved_only.unwrap_or(false);
    let ws = state.clone();
    read(&state, &caller, move |s| {
        let approved_view;
        let s = if approved {
            approved_view = hsplan_app::governance::approved_only(&ws.workspace, s)?;
            &approved_view
        } else {
            s
        };
        let e = hsplan_app::evaluation::evaluate(&ws.workspace.plans(), &s.sys, &req)?;
        Ok(hsplan_app::evaluation::json(&s.sys, &e))
    })
    .await
    .map(Json)
}

fn download(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987), so
/// Chinese file names survive and no name can break out of the header.
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The evaluation as a file: the self-contained HTML report, a status-coloured XLSX or CSV.
#[utoipa::path(get, path = "/api/evaluations/report", tag = "evaluation", params(EvaluationParams),
    responses((status = 200, description = "The report: HTML, XLSX or CSV", content(
            ("text/html; charset=utf-8"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv; charset=utf-8"))),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "approved_only on a store without approval (SQLite)", body = Problem, content_type = "application/problem+json")))]
pub async fn evaluation_report(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<EvaluationParams>,
) -> ApiResult<Response> {
    let req = p.request();
    let format = p.format.clone().unwrap_or_else(|| "html".into());
    let lang = p.lang.unwrap_or_default();
    let mode = p.mode.unwrap_or(Mode::Annual);
    if !["html", "xlsx", "csv"].contains(&format.as_str()) {
        return Err(Problem::bad_request(
            "format",
            "format: one of html, xlsx, csv",
        ));
    }
    let approved = p.approved_only.unwrap_or(false);
    let ws = state.clone();
    read(&state, &caller, move |s| {
        let approved_view;
        let s = if approved {
            approved_view = hsplan_app::governance::approved_only(&ws.workspace, s)?;
            &approved_view
        } else {
            s
        };
        let e = hsplan_app::evaluation::evaluate(&ws.workspace.plans(), &s.sys, &req)?;
        let base = format!("evaluation-{}-{}", e.plan, e.year);
        let notes = hsplan_app::evaluation::data_notes(&s.sys, lang);
        Ok(match format.as_str() {
            "xlsx" => download(
                &format!("{base}.xlsx"),
                hsplan_app::data::XLSX_MIME,
                hsplan_app::evaluation::xlsx(&e.indicators, &notes.all)?,
            ),
            "csv" => download(
                &format!("{base}.csv"),
                "text/csv; charset=utf-8",
                hsplan_app::evaluation::csv(&e.indicators, notes.synthetic_data)?,
            ),
            _ => download(
                &format!("{base}.html"),
                "text/html; charset=utf-8",
                hsplan_app::evaluation::html(&s.sys, &e, mode, lang)?.into_bytes(),
            ),
        })
    })
    .await
}

/// The seed allocation standards checked for a year; violations located.
#[utoipa::path(get, path = "/api/standards", tag = "standards", params(StandardsRequest),
    responses((status = 200, body = StandardsResult), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn standards(
    Shared(state): S,
    caller: Caller,
    Query(req): Query<StandardsRequest>,
) -> ApiResult<Json<StandardsResult>> {
    read(&state, &caller, move |s| {
        hsplan_app::standards::check(&s.sys, &req)
    })
    .await
    .map(Json)
}

/// Checks an uploaded standards file (TOML, the format of the seed library) for a year.
#[utoipa::path(post, path = "/api/standards/check", tag = "standards", request_body = StandardsFileRequest,
    responses((status = 200, body = StandardsResult),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn check_standards_file(
    Shared(state): S,
    caller: Caller,
    Json(req): Json<StandardsFileRequest>,
) -> ApiResult<Json<StandardsResult>> {
    read(&state, &caller, move |s| {
        hsplan_app::standards::check_file(&s.sys, &req)
    })
    .await
    .map(Json)
}

/// What to review (`GET /api/quality` and its report).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityParams {
    /// Year reviewed.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
    /// Unit reviewed with everything below it (default: the smallest unit holding every
    /// facility in view).
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: Option<String>,
    /// Language of the report (zh-CN or en).
    #[param(value_type = Option<String>, pattern = r"^(zh-CN|zh|en)$")]
    pub lang: Option<Lang>,
    /// Download format: html, xlsx or csv.
    #[param(pattern = r"^(html|xlsx|csv)$")]
    pub format: Option<String>,
}

impl QualityParams {
    fn request(&self) -> hsplan_app::quality::QualityRequest {
        hsplan_app::quality::QualityRequest {
            year: self.year,
            unit: self.unit.clone(),
        }
    }
}

/// The data-quality review of a unit for a year: completeness, internal consistency,
/// outliers and external consistency, scores per unit and every finding located.
#[utoipa::path(get, path = "/api/quality", tag = "evaluation", params(QualityParams),
    responses((status = 200, body = QualityResult), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn quality(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<QualityParams>,
) -> ApiResult<Json<QualityResult>> {
    let req = p.request();
    let ws = state.clone();
    read(&state, &caller, move |s| {
        let req = req.or_home(&s.sys, ws.home_unit.as_deref());
        hsplan_app::quality::review(&ws.workspace.plans(), &s.sys, &req)
    })
    .await
    .map(Json)
}

/// The data-quality review as a file: HTML, XLSX (scores, completeness, findings) or CSV.
#[utoipa::path(get, path = "/api/quality/report", tag = "evaluation", params(QualityParams),
    responses((status = 200, description = "The review: HTML, XLSX or CSV", content(
            ("text/html; charset=utf-8"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv; charset=utf-8"))),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn quality_report(
    Shared(state): S,
    caller: Caller,
    Query(p): Query<QualityParams>,
) -> ApiResult<Response> {
    let req = p.request();
    let format = p.format.clone().unwrap_or_else(|| "html".into());
    let lang = p.lang.unwrap_or_default();
    if !["html", "xlsx", "csv"].contains(&format.as_str()) {
        return Err(Problem::bad_request(
            "format",
            "format: one of html, xlsx, csv",
        ));
    }
    let ws = state.clone();
    read(&state, &caller, move |s| {
        let req = req.or_home(&s.sys, ws.home_unit.as_deref());
        let r = hsplan_app::quality::review(&ws.workspace.plans(), &s.sys, &req)?;
        let base = format!("quality-{}-{}", r.review.unit, r.review.year);
        Ok(match format.as_str() {
            "xlsx" => download(
                &format!("{base}.xlsx"),
                hsplan_app::data::XLSX_MIME,
                hsplan_app::quality::xlsx(
                    &r,
                    &hsplan_app::evaluation::data_notes(&s.sys, lang).all,
                )?,
            ),
            "csv" => download(
                &format!("{base}.csv"),
                "text/csv; charset=utf-8",
                hsplan_app::quality::csv(&r)?,
            ),
            _ => download(
                &format!("{base}.html"),
                "text/html; charset=utf-8",
                hsplan_app::quality::html(&s.sys, &r, lang).into_bytes(),
            ),
        })
    })
    .await
}

/// The sub-units of a unit as a choropleth of an indicator.
#[utoipa::path(get, path = "/api/map/choropleth", tag = "map", params(ChoroplethRequest),
    responses((status = 200, body = Choropleth), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn choropleth(
    Shared(state): S,
    caller: Caller,
    Query(req): Query<ChoroplethRequest>,
) -> ApiResult<Json<Choropleth>> {
    read(&state, &caller, move |s| {
        hsplan_app::geo::choropleth(&s.sys, &req)
    })
    .await
    .map(Json)
}

/// Upload parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name (its extension says CSV or XLSX; used in every message).
    #[param(min_length = 1, max_length = 255)]
    pub file: String,
}

/// Imports an uploaded file (the body) all-or-nothing; every problem is located.
#[utoipa::path(post, path = "/api/imports/{kind}", tag = "data",
    params(("kind" = UploadKind, Path, description = "units, population, facilities, resources, geojson, fhir (an IHE mCSD Bundle: units and facilities) or dhis2-metadata (organisationUnits, levels and groups)"), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    Shared(state): S,
    caller: Caller,
    Path(kind): Path<String>,
    Query(p): Query<UploadParams>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let kind = UploadKind::parse(&kind).map_err(Problem::from)?;
    let file = p.file.trim().to_string();
    if file.is_empty() || file.contains(['/', '\\']) {
        return Err(Problem::bad_request(
            "file",
            "file: a plain file name such as facilities.csv",
        ));
    }
    blocking(move || {
        let batch =
            hsplan_app::data::parse_upload(kind, &file, &body, &state.workspace.snapshot().sys)?;
        let actor = match &caller.principal {
            Some(p) => {
                let action = hsplan_app::governance::upload_action(kind);
                hsplan_app::governance::check_batch_scope(
                    &state.workspace.snapshot().sys,
                    p,
                    action,
                    &batch,
                )?;
                hsplan_app::governance::Actor {
                    name: p.user.clone(),
                    address: caller.address.clone(),
                }
            }
            None => hsplan_app::governance::Actor {
                name: "local".into(),
                address: caller.address.clone(),
            },
        };
        state
            .workspace
            .import_as(&batch, &actor, &format!("import.{}", kind.code()), &file)
    })
    .await
    .map(Json)
}

/// Export parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// csv (default) or xlsx; ignored for geojson and fhir.
    pub format: Option<ExportFormat>,
}

/// A table of the store as CSV or XLSX, its geometries as GeoJSON, its directory of units
/// and facilities as a FHIR R4 transaction Bundle (IHE mCSD; the latest year's capabilities as
/// HealthcareServices), or its units and facilities as DHIS2 metadata.
#[utoipa::path(get, path = "/api/exports/{kind}", tag = "data",
    params(("kind" = UploadKind, Path, description = "units, population, facilities, resources, geojson, fhir or dhis2-metadata"), ExportParams),
    responses((status = 200, description = "The file: CSV, XLSX, GeoJSON, FHIR JSON or DHIS2 metadata JSON", content(
            ("text/csv; charset=utf-8"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/geo+json"),
            ("application/fhir+json"),
            ("application/json"))), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    Shared(state): S,
    caller: Caller,
    Path(kind): Path<String>,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    let kind = UploadKind::parse(&kind).map_err(Problem::from)?;
    let format = p.format.unwrap_or(ExportFormat::Csv);
    read(&state, &caller, move |s| {
        let d = hsplan_app::data::export(&s.sys, kind, format)?;
        Ok(download(&d.file_name, d.content_type, d.bytes))
    })
    .await
}

/// A siting run.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SitingJobRequest {
    /// lscp, mclp, pmedian or pcenter.
    pub model: ModelKind,
    /// New sites (mclp, pmedian, pcenter).
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    #[serde(default, deserialize_with = "whole_number")]
    pub p: Option<u64>,
    /// Coverage threshold, minutes (default 15).
    pub minutes: Option<f64>,
    /// Longest trip considered, minutes (default 60).
    pub max_minutes: Option<f64>,
    /// Only existing facilities of these kinds (all when empty).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Candidates: one network node per cell of this many metres (default 1000) …
    pub candidate_spacing: Option<f64>,
    /// … only those outside the existing facilities' reach (default true).
    pub uncovered_only: Option<bool>,
    /// … or these candidate sites, as CSV text (id,lon,lat).
    pub candidates_csv: Option<String>,
    /// Seed of the search (default 1).
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 1000000)]
    #[serde(default, deserialize_with = "whole_number")]
    pub seed: Option<u64>,
    /// Scenario name (letters, digits, '-', '_' and '.'; at most 80).
    #[schema(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")]
    pub name: Option<String>,
    /// Language of the method's description.
    #[schema(value_type = Option<String>, pattern = r"^(zh-CN|zh|en)$")]
    pub lang: Option<Lang>,
}

/// A JSON number that is a whole number (`3` or `3.0`), as JSON Schema's `integer` allows.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    match v {
        None => Ok(None),
        Some(x)
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9.007_199_254_740_992e15 =>
        {
            Ok(Some(x as u64))
        }
        Some(x) => Err(serde::de::Error::custom(format!(
            "`{x}` is not a whole number"
        ))),
    }
}

fn scenario_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.starts_with('.')
}

/// Starts a siting job on the server's siting inputs (road graph, demand points, existing
/// facilities); follow it at `/api/jobs/{id}` or `/api/jobs/{id}/events`.
#[utoipa::path(post, path = "/api/jobs/siting", tag = "siting", request_body = SitingJobRequest,
    responses((status = 415, body = Problem, content_type = "application/problem+json"), (status = 202, body = crate::jobs::JobInfo), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn start_siting(
    Shared(state): S,
    Json(r): Json<SitingJobRequest>,
) -> ApiResult<(StatusCode, Json<crate::jobs::JobInfo>)> {
    use hsplan_app::siting::{CandidateSource, DemandSource, InputFile, SitingRequest};
    let Some(dir) = state.siting_inputs.clone() else {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "no-siting-inputs",
            "this server has no siting inputs (start it with --inputs DIR holding roads.hsg, demand.csv and facilities.csv)",
        ));
    };
    if r.p.is_some_and(|p| !(1..=100_000).contains(&p)) {
        return Err(Problem::bad_request("p", "p: between 1 and 100000"));
    }
    if r.seed.is_some_and(|s| s > 1_000_000) {
        return Err(Problem::bad_request("seed", "seed: between 0 and 1000000"));
    }
    if let Some(name) = &r.name
        && !scenario_name_ok(name)
    {
        return Err(Problem::bad_request(
            "name",
            "name: letters, digits, '-', '_' and '.' (at most 80)",
        ));
    }
    let candidates = match &r.candidates_csv {
        Some(text) => CandidateSource::File(InputFile::Bytes {
            name: "candidates.csv".into(),
            bytes: text.clone().into_bytes(),
        }),
        None => CandidateSource::Spacing {
            metres: r.candidate_spacing.unwrap_or(1000.0),
            uncovered_only: r.uncovered_only.unwrap_or(true),
        },
    };
    let mut req = SitingRequest::new(
        r.model,
        dir.join("roads.hsg"),
        DemandSource::File(InputFile::Path(dir.join("demand.csv"))),
        candidates,
    );
    req.existing = Some(InputFile::Path(dir.join("facilities.csv")));
    req.kinds = r.kinds.clone();
    req.p = r.p.map(|p| p as usize);
    req.minutes = r.minutes.unwrap_or(15.0);
    req.max_minutes = r.max_minutes.unwrap_or(60.0);
    req.seed = r.seed.unwrap_or(1);
    req.name = r.name.clone();
    req.lang = r.lang.unwrap_or_default();
    req.with_points = true;
    let scenarios = state.scenarios.clone();
    let info = state.jobs.start("siting", move |progress, cancel| {
        let solved = hsplan_app::siting::solve(&req, progress, cancel)?;
        let s = &solved.scenario;
        if let Some(dir) = scenarios
            && scenario_name_ok(&s.name)
        {
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{}.json", s.name));
            if let Err(e) = std::fs::write(&path, serde_json::to_vec_pretty(s).unwrap_or_default())
            {
                tracing::error!("{}: cannot write: {e}", path.display());
            }
        }
        Ok(serde_json::to_value(s).unwrap_or_default())
    });
    Ok((StatusCode::ACCEPTED, Json(info)))
}

/// A travel-time threshold, minutes.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Minutes(pub f64);

impl utoipa::PartialSchema for Minutes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
            .exclusive_minimum(Some(0.0))
            .maximum(Some(600.0))
            .description(Some("Minutes, above 0 and at most 600."))
            .into()
    }
}

impl ToSchema for Minutes {}

/// An access run on the server's inputs: coverage within thresholds, optionally isochrones.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AccessJobRequest {
    /// Thresholds, minutes (each above 0, at most 600).
    #[schema(min_items = 1, max_items = 12)]
    pub thresholds: Vec<Minutes>,
    /// Only facilities of these kinds (all when empty).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Residents travel to the facility (default), or the facility to them (ambulances).
    pub from_facility: Option<bool>,
    /// Minutes added to every trip (dispatch), default 0.
    #[schema(minimum = 0, maximum = 600)]
    pub dispatch_min: Option<f64>,
    /// Also trace isochrones on a raster of this many metres (at least 10).
    #[schema(minimum = 10, maximum = 100000)]
    pub isochrone_cell_m: Option<f64>,
}

/// Starts an access job on the server's inputs (road graph, demand points, facilities);
/// its result has coverage per demand point, per unit and overall, and isochrones.
#[utoipa::path(post, path = "/api/jobs/access", tag = "siting", request_body = AccessJobRequest,
    responses((status = 202, body = crate::jobs::JobInfo),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json")))]
pub async fn start_access(
    Shared(state): S,
    Json(r): Json<AccessJobRequest>,
) -> ApiResult<(StatusCode, Json<crate::jobs::JobInfo>)> {
    use hsplan_app::access::AccessRequest;
    use hsplan_app::siting::{DemandSource, InputFile};
    let Some(dir) = state.siting_inputs.clone() else {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "no-siting-inputs",
            "this server has no access inputs (start it with --inputs DIR holding roads.hsg, demand.csv and facilities.csv)",
        ));
    };
    if r.thresholds.len() > 12 {
        return Err(Problem::bad_request("thresholds", "thresholds: at most 12"));
    }
    let given: Vec<f64> = r.thresholds.iter().map(|m| m.0).collect();
    let thresholds = hsplan_app::access::thresholds("thresholds", &given).map_err(Problem::from)?;
    if let Some(c) = r.isochrone_cell_m
        && !(c.is_finite() && (10.0..=100_000.0).contains(&c))
    {
        return Err(Problem::bad_request(
            "isochrone_cell_m",
            "isochrone_cell_m: between 10 and 100000 metres",
        ));
    }
    let dispatch_min = r.dispatch_min.unwrap_or(0.0);
    if !(dispatch_min.is_finite() && (0.0..=600.0).contains(&dispatch_min)) {
        return Err(Problem::bad_request(
            "dispatch_min",
            "dispatch_min: between 0 and 600",
        ));
    }
    let req = AccessRequest {
        graph: dir.join("roads.hsg"),
        demand: DemandSource::File(InputFile::Path(dir.join("demand.csv"))),
        facilities: InputFile::Path(dir.join("facilities.csv")),
        kinds: r.kinds,
        thresholds_min: thresholds,
        direction: if r.from_facility.unwrap_or(false) {
            TravelDirection::FromFacility
        } else {
            TravelDirection::ToFacility
        },
        dispatch_min,
        max_snap_m: 500.0,
        walk_kmh: 4.5,
        isochrone_cell_m: r.isochrone_cell_m,
    };
    let info = state.jobs.start("access", move |progress, cancel| {
        let result = hsplan_app::access::run(&req, progress, cancel)?;
        Ok(serde_json::to_value(result).unwrap_or_default())
    });
    Ok((StatusCode::ACCEPTED, Json(info)))
}

fn job_id(id: &str) -> Result<u64, Problem> {
    id.parse()
        .map_err(|_| Problem::bad_request("id", "id: a job number"))
}

/// A job's state, progress and (when done) result.
#[utoipa::path(get, path = "/api/jobs/{id}", tag = "siting",
    params(("id" = u64, Path, description = "Job id", minimum = 1)),
    responses((status = 200, body = crate::jobs::JobInfo), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn job(
    Shared(state): S,
    Path(id): Path<String>,
) -> ApiResult<Json<crate::jobs::JobInfo>> {
    let id = job_id(&id)?;
    state.jobs.get(id).map(Json).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: job {id}"),
        )
    })
}

/// Cancels a job.
#[utoipa::path(post, path = "/api/jobs/{id}/cancel", tag = "siting",
    params(("id" = u64, Path, description = "Job id", minimum = 1)),
    responses((status = 202, body = crate::jobs::JobInfo), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_job(
    Shared(state): S,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<crate::jobs::JobInfo>)> {
    let id = job_id(&id)?;
    if !state.jobs.cancel(id) {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: job {id}"),
        ));
    }
    let info = state.jobs.get(id).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: job {id}"),
        )
    })?;
    Ok((StatusCode::ACCEPTED, Json(info)))
}

/// A job's progress as Server-Sent Events (`progress` while running, then one `end`).
#[utoipa::path(get, path = "/api/jobs/{id}/events", tag = "siting",
    params(("id" = u64, Path, description = "Job id", minimum = 1)),
    responses((status = 200, description = "text/event-stream of JobInfo", content_type = "text/event-stream"),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn job_events(Shared(state): S, Path(id): Path<String>) -> ApiResult<Response> {
    let id = job_id(&id)?;
    let rx = state.jobs.watch(id).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: job {id}"),
        )
    })?;
    // One event per change: `progress` while running, then `end` and the stream closes.
    let stream =
        futures_util::stream::unfold((rx, false, true), |(mut rx, ended, first)| async move {
            if ended {
                return None;
            }
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let info = rx.borrow_and_update().clone();
            let end = info.state != crate::jobs::JobState::Running;
            let event = Event::default()
                .event(if end { "end" } else { "progress" })
                .json_data(&info)
                .unwrap_or_default();
            Some((Ok::<_, std::convert::Infallible>(event), (rx, end, false)))
        });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// A saved scenario in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioEntry {
    /// Name.
    pub name: String,
    /// Model.
    pub model: String,
    /// New sites.
    pub new_sites: usize,
    /// Coverage after, % (all demand).
    pub covered_after_pct: Option<f64>,
}

fn load_scenario(state: &State, name: &str) -> Result<Scenario, Problem> {
    let dir = state.scenarios.as_ref().ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: scenario {name}"),
        )
    })?;
    if !scenario_name_ok(name) {
        return Err(Problem::bad_request(
            "name",
            "name: letters, digits, '-', '_' and '.'",
        ));
    }
    let path = dir.join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("not found: scenario {name}"),
        )
    })?;
    hsplan_app::siting::parse_scenario(&format!("{name}.json"), &text).map_err(Problem::from)
}

/// Saved scenarios.
#[utoipa::path(get, path = "/api/scenarios", tag = "siting",
    responses((status = 200, body = Vec<ScenarioEntry>)))]
pub async fn scenarios(Shared(state): S) -> Json<Vec<ScenarioEntry>> {
    let mut out = Vec::new();
    if let Some(dir) = &state.scenarios
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".json")
                    .map(String::from)
            })
            .collect();
        names.sort();
        for name in names {
            if let Ok(s) = load_scenario(&state, &name) {
                out.push(ScenarioEntry {
                    model: s.model.clone(),
                    new_sites: s.new_sites.len(),
                    covered_after_pct: s.coverage.last().map(|c| c.covered_after_pct),
                    name,
                });
            }
        }
    }
    Json(out)
}

/// A saved scenario.
#[utoipa::path(get, path = "/api/scenarios/{name}", tag = "siting",
    params(("name" = String, Path, description = "Scenario name", pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")),
    responses((status = 200, body = Scenario), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn scenario(Shared(state): S, Path(name): Path<String>) -> ApiResult<Json<Scenario>> {
    load_scenario(&state, &name).map(Json)
}

/// A scenario's new sites imported as planned facilities opening in a year.
#[utoipa::path(post, path = "/api/scenarios/{name}/apply", tag = "siting",
    params(("name" = String, Path, description = "Scenario name", pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")), request_body = ApplyRequest,
    responses((status = 415, body = Problem, content_type = "application/problem+json"), (status = 200, body = ImportReport), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn apply_scenario(
    Shared(state): S,
    caller: Caller,
    Path(name): Path<String>,
    Json(req): Json<ApplyRequest>,
) -> ApiResult<Json<ImportReport>> {
    let s = load_scenario(&state, &name)?;
    blocking(move || {
        let file = format!("{name}.json");
        let csv = hsplan_app::siting::apply_csv(&s, &file, &req)?;
        let batch = hsplan_app::data::parse_upload(
            UploadKind::Facilities,
            &format!("{name}-facilities.csv"),
            &csv,
            &state.workspace.snapshot().sys,
        )?;
        let actor = hsplan_app::governance::Actor {
            name: caller
                .principal
                .as_ref()
                .map_or_else(|| "local".into(), |p| p.user.clone()),
            address: caller.address.clone(),
        };
        state
            .workspace
            .import_as(&batch, &actor, "scenario.apply", &file)
    })
    .await
    .map(Json)
}

/// Settings the web app needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppConfig {
    /// Whether users sign in (a shared store with accounts, approval and audit).
    pub accounts: bool,
    /// Whether siting inputs are available.
    pub siting: bool,
    /// The demo district, when serving the demo.
    pub home_unit: Option<String>,
    /// The demo plan, when serving the demo.
    pub home_plan: Option<String>,
}

/// The web app's settings.
#[utoipa::path(get, path = "/api/config", tag = "system",
    responses((status = 200, body = AppConfig)))]
pub async fn config(Shared(state): S) -> Json<AppConfig> {
    Json(AppConfig {
        accounts: state.workspace.governed(),
        siting: state.siting_inputs.is_some(),
        home_unit: state.home_unit.clone(),
        home_plan: state.home_plan.clone(),
    })
}

/// The web app's labels in both languages, from the one message catalogue; the units of
/// measure under `unit:<as the plans write it>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Messages {
    /// 中文 labels by key.
    #[serde(rename = "zh-CN")]
    pub zh: std::collections::BTreeMap<String, &'static str>,
    /// English labels by key.
    pub en: std::collections::BTreeMap<String, &'static str>,
}

/// The web app's labels (zh-CN and en).
#[utoipa::path(get, path = "/api/messages", tag = "system",
    responses((status = 200, body = Messages)))]
pub async fn messages() -> Json<Messages> {
    let labels = || {
        let web = hsplan_app::messages::WEB
            .iter()
            .map(|(k, zh, en)| (k.to_string(), *zh, *en));
        let units = hsplan_app::messages::UNITS
            .iter()
            .map(|(zh, en)| (format!("unit:{zh}"), *zh, *en));
        web.chain(units)
    };
    Json(Messages {
        zh: labels().map(|(k, zh, _)| (k, zh)).collect(),
        en: labels().map(|(k, _, en)| (k, en)).collect(),
    })
}

// ---------------------------------------------------------------- sessions

fn session_cookie(state: &State, token: &str, max_age: i64) -> axum::http::HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        crate::auth::COOKIE
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Signs in: the session token comes back in the body (for `Authorization: Bearer`) and as
/// an HTTP-only cookie (for the web app, which then sends `csrf` as `X-CSRF-Token`).
/// Repeated failures from one address are refused for a while (429).
#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = hsplan_app::governance::LoginRequest,
    responses((status = 200, body = hsplan_app::governance::LoginResult), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    Shared(state): S,
    caller: Caller,
    Json(req): Json<hsplan_app::governance::LoginRequest>,
) -> ApiResult<Response> {
    if let Some(wait) = state.logins.blocked(&req.user, &caller.address) {
        let mut r = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-logins",
            format!("too many failed sign-ins; try again in {wait} s"),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(r);
    }
    let st = state.clone();
    let address = caller.address.clone();
    let user = req.user.clone();
    let result =
        blocking(move || hsplan_app::governance::login(&st.workspace, &req, &address)).await;
    match result {
        Ok(session) => {
            state.logins.succeeded(&user, &caller.address);
            let max_age = (session.expires_ms - hsplan_app::governance::now_ms()) / 1000;
            let cookie = session_cookie(&state, &session.token, max_age);
            let mut r = axum::Json(session).into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Err(p) => {
            if p.status == 401 {
                state.logins.failed(&user, &caller.address);
                tracing::info!(user = %user, address = %caller.address, "failed sign-in");
            }
            Err(p)
        }
    }
}

/// Signs out: the session ends and the cookie is cleared.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn logout(Shared(state): S, caller: Caller) -> ApiResult<Response> {
    if let Some(token) = caller.token.clone() {
        state.sessions.remove(&token);
        let st = state.clone();
        let address = caller.address.clone();
        blocking(move || hsplan_app::governance::logout(&st.workspace, &token, &address)).await?;
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(r)
}

fn signed_in(caller: &Caller) -> Result<hsplan_govern::Principal, Problem> {
    caller.principal.clone().ok_or_else(|| {
        Problem::from(hsplan_app::AppError::NeedsServerStore(
            "accounts, data entry, approval and the audit log need the shared store: start with --db postgres://…".into(),
        ))
    })
}

/// The signed-in user: grants, allowed actions, home unit.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = hsplan_app::governance::Me), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn me(Shared(state): S, caller: Caller) -> ApiResult<Json<hsplan_app::governance::Me>> {
    let p = signed_in(&caller)?;
    let scoped = state.workspace.snapshot_for(Some(&p));
    Ok(Json(hsplan_app::governance::me(&scoped, &p)))
}

// ---------------------------------------------------------------- data entry

const FACILITY_PARAMS: &str = "Facility id";

/// A facility's year as a form: values, the year before, version, approval state.
#[utoipa::path(get, path = "/api/facilities/{id}/years/{year}", tag = "entry",
    params(("id" = String, Path, description = "Facility id", min_length = 1, max_length = 64), ("year" = i64, Path, description = "Year", minimum = 1949, maximum = 2100)),
    responses((status = 200, body = hsplan_app::governance::FacilityYearForm), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn facility_year_form(
    Shared(state): S,
    caller: Caller,
    Path((id, year)): Path<(String, i64)>,
) -> ApiResult<Json<hsplan_app::governance::FacilityYearForm>> {
    let _ = FACILITY_PARAMS;
    let p = signed_in(&caller)?;
    blocking(move || hsplan_app::governance::form(&state.workspace, &p, &id, year))
        .await
        .map(Json)
}

/// Saves a facility's year: 200 saved; 409 with what changed if someone saved it since
/// (nothing is lost: both versions are in the answer); 422 listing jumps to confirm, or
/// values that break parts ≤ whole.
#[utoipa::path(put, path = "/api/facilities/{id}/years/{year}", tag = "entry",
    params(("id" = String, Path, description = "Facility id", min_length = 1, max_length = 64), ("year" = i64, Path, description = "Year", minimum = 1949, maximum = 2100)),
    request_body = hsplan_app::governance::SaveRequest,
    responses((status = 200, body = hsplan_app::governance::SaveOutcome),
        (status = 409, description = "A stale version (the outcome, application/json) or data no longer open for entry (a problem)",
            content((hsplan_app::governance::SaveOutcome = "application/json"), (Problem = "application/problem+json"))),
        (status = 422, description = "Jumps to confirm (the outcome, application/json) or values that break a rule (a problem)",
            content((hsplan_app::governance::SaveOutcome = "application/json"), (Problem = "application/problem+json"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn save_facility_year(
    Shared(state): S,
    caller: Caller,
    Path((id, year)): Path<(String, i64)>,
    Json(req): Json<hsplan_app::governance::SaveRequest>,
) -> ApiResult<Response> {
    use hsplan_app::governance::SaveOutcome;
    let p = signed_in(&caller)?;
    let address = caller.address.clone();
    let outcome = blocking(move || {
        hsplan_app::governance::save(&state.workspace, &p, &address, &id, year, &req)
    })
    .await?;
    let status = match &outcome {
        SaveOutcome::Saved { .. } => StatusCode::OK,
        SaveOutcome::Stale { .. } => StatusCode::CONFLICT,
        SaveOutcome::ConfirmJumps { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok((status, axum::Json(outcome)).into_response())
}

/// Approval board parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// Unit (its own row, then its direct sub-units).
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: String,
    /// Year.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
}

/// The approval board of a unit and its sub-units for a year, with the steps the caller
/// may take on each.
#[utoipa::path(get, path = "/api/approvals", tag = "entry", params(BoardParams),
    responses((status = 200, body = Vec<hsplan_app::governance::ApprovalView>), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn approvals(
    Shared(state): S,
    caller: Caller,
    Query(q): Query<BoardParams>,
) -> ApiResult<Json<Vec<hsplan_app::governance::ApprovalView>>> {
    let p = signed_in(&caller)?;
    blocking(move || hsplan_app::governance::board(&state.workspace, &p, &q.unit, q.year))
        .await
        .map(Json)
}

/// One approval step on a unit's year: submit, return, approve, lock or unlock (return and
/// unlock need a reason). A district's step covers its whole subtree.
#[utoipa::path(post, path = "/api/approvals/{unit}/{year}/{action}", tag = "entry",
    params(("unit" = String, Path, description = "Unit code", pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$"),
        ("year" = i64, Path, description = "Year", minimum = 1949, maximum = 2100),
        ("action" = String, Path, description = "submit, return, approve, lock or unlock", pattern = "^(submit|return|approve|lock|unlock)$")),
    request_body = hsplan_app::governance::StepRequest,
    responses((status = 200, body = hsplan_app::governance::ApprovalView), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn approval_step(
    Shared(state): S,
    caller: Caller,
    Path((unit, year, action)): Path<(String, i64, String)>,
    Json(req): Json<hsplan_app::governance::StepRequest>,
) -> ApiResult<Json<hsplan_app::governance::ApprovalView>> {
    let p = signed_in(&caller)?;
    let address = caller.address.clone();
    blocking(move || {
        let v = hsplan_app::governance::step(
            &state.workspace,
            &p,
            &address,
            &unit,
            year,
            &action,
            &req,
        )?;
        // evaluations on approved data change: a new snapshot version empties the cache
        state.workspace.touch();
        Ok(v)
    })
    .await
    .map(Json)
}

/// Audit log parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only records after this sequence number (default 0).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (1–10000, default 200).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// The audit log within the caller's scope: who, when, from where, what, before → after.
#[utoipa::path(get, path = "/api/audit", tag = "entry", params(AuditParams),
    responses((status = 200, body = Vec<hsplan_app::governance::AuditEntry>), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn audit(
    Shared(state): S,
    caller: Caller,
    Query(q): Query<AuditParams>,
) -> ApiResult<Json<Vec<hsplan_app::governance::AuditEntry>>> {
    let p = signed_in(&caller)?;
    blocking(move || {
        hsplan_app::governance::audit(
            &state.workspace,
            &p,
            q.after.unwrap_or(0),
            q.limit.unwrap_or(200),
        )
    })
    .await
    .map(Json)
}

/// The audit log within the caller's scope as CSV.
#[utoipa::path(get, path = "/api/audit/export", tag = "entry", params(AuditParams),
    responses((status = 200, description = "CSV", content_type = "text/csv; charset=utf-8"), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn audit_export(
    Shared(state): S,
    caller: Caller,
    Query(q): Query<AuditParams>,
) -> ApiResult<Response> {
    let p = signed_in(&caller)?;
    blocking(move || {
        let entries = hsplan_app::governance::audit(
            &state.workspace,
            &p,
            q.after.unwrap_or(0),
            q.limit.unwrap_or(10_000),
        )?;
        Ok(download(
            "audit.csv",
            "text/csv; charset=utf-8",
            hsplan_app::governance::audit_csv(&entries).into_bytes(),
        ))
    })
    .await
}

// ---------------------------------------------------------------- task ledger

/// A plan's tasks and projects as a status board: deadlines, latest progress, the overdue
/// list, a row per responsible unit, and the indicators each task serves.
#[utoipa::path(get, path = "/api/plans/{id}/tasks", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = hsplan_app::tasks::TaskBoard), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn task_board(
    Shared(state): S,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<hsplan_app::tasks::TaskBoard>> {
    blocking(move || hsplan_app::tasks::board(&state.workspace, &id, caller.principal.as_ref()))
        .await
        .map(Json)
}

/// Year of a parent-and-children comparison.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// Year measured.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
}

/// A plan beside the plans that name it as their parent: every indicator both set a target
/// for, the children's targets beside the parent's, and each unit one level below the
/// parent's jurisdiction against the parent's target (its gap and share of the whole gap).
/// Only for a reader who may see the parent's whole jurisdiction.
#[utoipa::path(get, path = "/api/plans/{id}/compare", tag = "plans",
    params(("id" = String, Path, description = "Parent plan id"), CompareParams),
    responses((status = 200, body = hsplan_app::parent_child::PlanComparison), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_compare(
    Shared(state): S,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<CompareParams>,
) -> ApiResult<Json<hsplan_app::parent_child::PlanComparison>> {
    blocking(move || {
        hsplan_app::parent_child::compare_in_workspace(
            &state.workspace,
            &id,
            p.year,
            caller.principal.as_ref(),
        )
    })
    .await
    .map(Json)
}

/// The progress updates of one task or project, oldest first.
#[utoipa::path(get, path = "/api/plans/{id}/tasks/{item}/updates", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "task:N or project:TABLE:ROW")),
    responses((status = 200, body = Vec<hsplan_app::tasks::UpdateView>), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn task_updates(
    Shared(state): S,
    caller: Caller,
    Path((id, item)): Path<(String, String)>,
) -> ApiResult<Json<Vec<hsplan_app::tasks::UpdateView>>> {
    blocking(move || {
        hsplan_app::tasks::updates(&state.workspace, &id, &item, caller.principal.as_ref())
    })
    .await
    .map(Json)
}

/// Records progress on a task or project (date, status, text, an attachment) for one of
/// its responsible units the user acts for.
#[utoipa::path(post, path = "/api/plans/{id}/tasks/{item}/updates", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "task:N or project:TABLE:ROW")),
    request_body = hsplan_app::tasks::UpdateRequest,
    responses((status = 201, body = hsplan_app::tasks::UpdateView), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn post_task_update(
    Shared(state): S,
    caller: Caller,
    Path((id, item)): Path<(String, String)>,
    Json(req): Json<hsplan_app::tasks::UpdateRequest>,
) -> ApiResult<(StatusCode, Json<hsplan_app::tasks::UpdateView>)> {
    let p = signed_in(&caller)?;
    let address = caller.address.clone();
    blocking(move || {
        hsplan_app::tasks::post_update(&state.workspace, &p, &address, &id, &item, &req)
    })
    .await
    .map(|v| (StatusCode::CREATED, Json(v)))
}

/// An update's attachment.
#[utoipa::path(get, path = "/api/plans/{id}/updates/{update}/attachment", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), ("update" = i64, Path, description = "Update id", minimum = 1)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn task_attachment(
    Shared(state): S,
    caller: Caller,
    Path((id, update)): Path<(String, i64)>,
) -> ApiResult<Response> {
    blocking(move || {
        let (name, kind, bytes) = hsplan_app::tasks::attachment(
            &state.workspace,
            &id,
            update,
            caller.principal.as_ref(),
        )?;
        let mut r = download(&name, "application/octet-stream", bytes);
        // shown as a download, never rendered in the app's origin
        if let Ok(v) = HeaderValue::from_str(&kind) {
            r.headers_mut().insert("x-hsplan-attachment-type", v);
        }
        r.headers_mut().insert(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        );
        Ok(r)
    })
    .await
}

// ---------------------------------------------------------------- plan files

const PLAN_ID: &str = "Plan id";

/// A plan's text as the server has it, its version, its lint findings, and whether the
/// caller may save a new version.
#[utoipa::path(get, path = "/api/plans/{id}/source", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = hsplan_app::plan_files::PlanSource), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_source(
    Shared(state): S,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<hsplan_app::plan_files::PlanSource>> {
    let _ = PLAN_ID;
    blocking(move || {
        hsplan_app::plan_files::source(&state.workspace, &id, caller.principal.as_ref())
    })
    .await
    .map(Json)
}

/// Saves a plan's text as its next version, after the lint: 200 saved (with the
/// findings); 409 with what changed if someone saved a newer version since the text was
/// read (nothing is lost); 422 when the text does not read as a plan, or has new lint
/// errors to confirm. Every later evaluation and ledger uses the saved version.
#[utoipa::path(put, path = "/api/plans/{id}/source", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    request_body = hsplan_app::plan_files::PlanSaveRequest,
    responses((status = 200, body = hsplan_app::plan_files::PlanSaveOutcome),
        (status = 409, description = "A newer version was saved meanwhile (the outcome, application/json) or the store has no plan history (a problem)",
            content((hsplan_app::plan_files::PlanSaveOutcome = "application/json"), (Problem = "application/problem+json"))),
        (status = 422, description = "Unreadable text or new lint errors to confirm (the outcome, application/json) or a bad request field (a problem)",
            content((hsplan_app::plan_files::PlanSaveOutcome = "application/json"), (Problem = "application/problem+json"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 415, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn save_plan_source(
    Shared(state): S,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<hsplan_app::plan_files::PlanSaveRequest>,
) -> ApiResult<Response> {
    use hsplan_app::plan_files::PlanSaveOutcome;
    let p = signed_in(&caller)?;
    let address = caller.address.clone();
    let outcome =
        blocking(move || hsplan_app::plan_files::save(&state.workspace, &p, &address, &id, &req))
            .await?;
    let status = match &outcome {
        PlanSaveOutcome::Saved { .. } => StatusCode::OK,
        PlanSaveOutcome::Stale { .. } => StatusCode::CONFLICT,
        PlanSaveOutcome::Unreadable { .. } | PlanSaveOutcome::ConfirmFindings { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok((status, axum::Json(outcome)).into_response())
}

/// Every version of a plan, oldest first (0 is the built-in text).
#[utoipa::path(get, path = "/api/plans/{id}/versions", tag = "plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = Vec<hsplan_app::plan_files::PlanVersionRow>), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_versions(
    Shared(state): S,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<hsplan_app::plan_files::PlanVersionRow>>> {
    blocking(move || hsplan_app::plan_files::history(&state.workspace, &id))
        .await
        .map(Json)
}

/// One version's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVersionText {
    /// The version.
    pub version: i64,
    /// The TOML text.
    pub text: String,
}

/// The text of one version of a plan.
#[utoipa::path(get, path = "/api/plans/{id}/versions/{version}", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), ("version" = i64, Path, description = "Version (0: built in)", minimum = 0)),
    responses((status = 200, body = PlanVersionText), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_version(
    Shared(state): S,
    Path((id, version)): Path<(String, i64)>,
) -> ApiResult<Json<PlanVersionText>> {
    blocking(move || {
        let text = hsplan_app::plan_files::version_text(&state.workspace, &id, version)?;
        Ok(PlanVersionText { version, text })
    })
    .await
    .map(Json)
}

/// Which two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older version.
    #[param(minimum = 0)]
    pub from: i64,
    /// The newer version.
    #[param(minimum = 0)]
    pub to: i64,
}

/// The difference between two versions of a plan, line by line with context.
#[utoipa::path(get, path = "/api/plans/{id}/diff", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), DiffParams),
    responses((status = 200, body = hsplan_app::plan_files::PlanDiff), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_diff(
    Shared(state): S,
    Path(id): Path<String>,
    Query(p): Query<DiffParams>,
) -> ApiResult<Json<hsplan_app::plan_files::PlanDiff>> {
    blocking(move || hsplan_app::plan_files::diff(&state.workspace, &id, p.from, p.to))
        .await
        .map(Json)
}
