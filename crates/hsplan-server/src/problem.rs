//! Errors as `application/problem+json` (RFC 9457), carrying the same located messages
//! the CLI prints.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hsplan_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type", serialize_with = "problem_uri")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Short summary of the kind.
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// What went wrong, located (file, row, column; or the request field).
    pub detail: String,
    /// Every located problem (uploads), one message each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Problems beyond those listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub more: u32,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub field: Option<Box<str>>,
    /// `detail` in Chinese, where the check says it in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub detail_zh: Option<Box<str>>,
}

fn problem_uri<S: serde::Serializer>(kind: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("https://hsplan.dev/problems/{kind}"))
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Problem {
    /// A problem of a status with a detail.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            title: status.canonical_reason().unwrap_or("error"),
            status: status.as_u16(),
            detail: detail.into(),
            problems: Vec::new(),
            more: 0,
            field: None,
            detail_zh: None,
        }
    }

    /// A 400 about a request field.
    pub fn bad_request(field: &str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid-request", detail);
        p.field = Some(field.into());
        p
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid {
                field,
                message,
                message_zh,
            } => {
                let mut p = Problem::bad_request(&field, format!("{field}: {message}"));
                p.detail_zh = message_zh.map(|zh| format!("{field}：{zh}").into());
                p
            }
            AppError::Input { problems, more } => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-input",
                    problems.first().cloned().unwrap_or_default(),
                );
                p.problems = problems;
                p.more = u32::try_from(more).unwrap_or(u32::MAX);
                p
            }
            AppError::NotFound(what) => Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("not found: {what}"),
            ),
            AppError::Cancelled => Problem::new(StatusCode::CONFLICT, "cancelled", "cancelled"),
            AppError::Engine(m) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "engine", m),
            AppError::Unauthenticated(m) => {
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", m)
            }
            AppError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", m),
            AppError::Conflict(m) => Problem::new(StatusCode::CONFLICT, "conflict", m),
            AppError::NeedsServerStore(m) => {
                Problem::new(StatusCode::CONFLICT, "needs-server-store", m)
            }
            AppError::Store(m) | AppError::File(m) => {
                tracing::error!("{m}");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete the request; see its log",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, axum::Json(&self)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, Problem>;

/// The query string, parsed; a malformed one is a 400 problem naming what is wrong.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(Problem::bad_request(
                "query",
                format!("query: {}", e.body_text()),
            )),
        }
    }
}

/// A JSON body, parsed; a malformed one is a 400 problem with line and column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => {
                let status = e.status();
                let mut p = Problem::new(
                    if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                        status
                    } else {
                        StatusCode::BAD_REQUEST
                    },
                    "invalid-body",
                    format!("body: {}", e.body_text()),
                );
                p.field = Some("body".into());
                Err(p)
            }
        }
    }
}

/// A path parameter; a malformed one is a 400 problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(Problem::bad_request(
                "path",
                format!("path: {}", e.body_text()),
            )),
        }
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
