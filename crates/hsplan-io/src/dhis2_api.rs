//! A DHIS2 server's Web API: metadata and data values read from it, and hsplan's values
//! and metadata sent to it — the same documents the files carry, over HTTP(S).
//!
//! Credentials come from the environment (a personal access token, or a user name and a
//! password) and are never part of a message: errors name the server and the path only.

use crate::error::IoError;
use serde_json::Value;
use std::time::Duration;

/// Environment variable holding a DHIS2 personal access token (`Authorization: ApiToken …`).
pub const TOKEN_VAR: &str = "HSPLAN_DHIS2_TOKEN";
/// Environment variable holding a DHIS2 user name (with [`PASSWORD_VAR`], basic auth).
pub const USER_VAR: &str = "HSPLAN_DHIS2_USER";
/// Environment variable holding that user's password.
pub const PASSWORD_VAR: &str = "HSPLAN_DHIS2_PASSWORD";

/// How hsplan signs in to a DHIS2 server.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A personal access token.
    Token(String),
    /// A user name and a password (HTTP basic).
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// None (a server that lets anyone read, or a test).
    Anonymous,
}

impl std::fmt::Debug for Credentials {
    // never the secret itself
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => write!(f, "Token(…)"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, …)"),
            Credentials::Anonymous => write!(f, "Anonymous"),
        }
    }
}

impl Credentials {
    /// The credentials the environment gives through `var` (a token first, then a user and
    /// password, else none).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Credentials {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        if let Some(t) = set(TOKEN_VAR) {
            return Credentials::Token(t.trim().to_string());
        }
        match (set(USER_VAR), set(PASSWORD_VAR)) {
            (Some(user), Some(password)) => Credentials::Basic { user, password },
            _ => Credentials::Anonymous,
        }
    }

    fn header(&self) -> Option<String> {
        use base64::Engine as _;
        match self {
            Credentials::Token(t) => Some(format!("ApiToken {t}")),
            Credentials::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            Credentials::Anonymous => None,
        }
    }
}

/// What a DHIS2 server did with data values sent to it (its import summary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCount {
    /// The summary's status (`OK`/`SUCCESS`, `WARNING`, `ERROR`).
    pub status: String,
    /// Values created.
    pub imported: u64,
    /// Values updated.
    pub updated: u64,
    /// Values ignored.
    pub ignored: u64,
    /// Values deleted.
    pub deleted: u64,
    /// The server's conflicts: object and what is wrong.
    pub conflicts: Vec<(String, String)>,
}

/// A DHIS2 server.
pub struct Dhis2Server {
    base: String,
    credentials: Credentials,
    agent: ureq::Agent,
}

impl Dhis2Server {
    /// The server at `url` (`https://host[/context]`; a trailing `/api` is accepted).
    pub fn new(url: &str, credentials: Credentials) -> Result<Self, IoError> {
        let trimmed = url.trim().trim_end_matches('/');
        let base = trimmed.strip_suffix("/api").unwrap_or(trimmed).to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.contains('@') {
            return Err(IoError::Dhis2Api {
                server: redact(url),
                message: "expected an http:// or https:// address without credentials in it (they come from HSPLAN_DHIS2_TOKEN, or HSPLAN_DHIS2_USER and HSPLAN_DHIS2_PASSWORD)".into(),
            });
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(300)))
            .timeout_connect(Some(Duration::from_secs(20)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(Dhis2Server {
            base,
            credentials,
            agent,
        })
    }

    /// The server's address, as shown in messages.
    pub fn address(&self) -> &str {
        &self.base
    }

    fn error(&self, path: &str, message: impl Into<String>) -> IoError {
        IoError::Dhis2Api {
            server: format!("{}{path}", self.base),
            message: message.into(),
        }
    }

    /// Reads a response: its text on success, else an error with DHIS2's own message.
    fn finish(
        &self,
        path: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        accept_conflict: bool,
    ) -> Result<String, IoError> {
        let mut response =
            response.map_err(|e| self.error(path, format!("cannot reach the server: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(2 * 1024 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| self.error(path, format!("cannot read the answer: {e}")))?;
        match status {
            200..=299 => Ok(body),
            // DHIS2 answers an import with problems by 409 and an import summary
            409 if accept_conflict => Ok(body),
            401 => Err(self.error(path, "401: the server refused the credentials (HSPLAN_DHIS2_TOKEN, or HSPLAN_DHIS2_USER and HSPLAN_DHIS2_PASSWORD)")),
            403 => Err(self.error(path, "403: the account may not do this")),
            _ => {
                let said = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| body.chars().take(200).collect());
                Err(self.error(path, format!("{status}: {said}")))
            }
        }
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<String, IoError> {
        let mut req = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Accept", "application/json");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        if let Some(h) = self.credentials.header() {
            req = req.header("Authorization", h);
        }
        self.finish(path, req.call(), false)
    }

    fn post(&self, path: &str, query: &[(&str, &str)], body: &[u8]) -> Result<Value, IoError> {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        if let Some(h) = self.credentials.header() {
            req = req.header("Authorization", h);
        }
        let text = self.finish(path, req.send(body), true)?;
        serde_json::from_str(&text)
            .map_err(|e| self.error(path, format!("the answer is not JSON: {e}")))
    }

    /// The org units, their levels and groups, as `/api/metadata` exports them.
    pub fn metadata(&self) -> Result<String, IoError> {
        self.get(
            "/api/metadata",
            &[
                ("organisationUnits", "true"),
                ("organisationUnitLevels", "true"),
                ("organisationUnitGroups", "true"),
            ],
        )
    }

    /// The data values of `data_elements` for `period` at `org_unit` and every org unit
    /// below it (a dataValueSet, JSON).
    pub fn data_values(
        &self,
        data_elements: &[String],
        period: &str,
        org_unit: &str,
    ) -> Result<String, IoError> {
        let mut query: Vec<(&str, &str)> = data_elements
            .iter()
            .map(|d| ("dataElement", d.as_str()))
            .collect();
        query.extend([
            ("period", period),
            ("orgUnit", org_unit),
            ("children", "true"),
        ]);
        self.get("/api/dataValueSets", &query)
    }

    /// Sends a dataValueSet (JSON) and reads the server's import summary.
    pub fn send_data_values(&self, body: &[u8]) -> Result<ImportCount, IoError> {
        let path = "/api/dataValueSets";
        let v = self.post(path, &[], body)?;
        // 2.38+: a web message whose `response` is the summary; older: the summary itself
        let summary = v.get("response").filter(|r| r.is_object()).unwrap_or(&v);
        let count = summary
            .get("importCount")
            .ok_or_else(|| self.error(path, "the answer has no import summary (importCount)"))?;
        let n = |k: &str| count.get(k).and_then(Value::as_u64).unwrap_or(0);
        let conflicts = summary
            .get("conflicts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                (s("object"), s("value"))
            })
            .collect();
        Ok(ImportCount {
            status: summary
                .get("status")
                .or_else(|| v.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            imported: n("imported"),
            updated: n("updated"),
            ignored: n("ignored"),
            deleted: n("deleted"),
            conflicts,
        })
    }

    /// Sends metadata (JSON) and reads the server's import report: status and the stats
    /// (created, updated, deleted, ignored, total).
    pub fn send_metadata(&self, body: &[u8]) -> Result<(String, ImportCount), IoError> {
        let path = "/api/metadata";
        let v = self.post(path, &[("importStrategy", "CREATE_AND_UPDATE")], body)?;
        let report = v.get("response").filter(|r| r.is_object()).unwrap_or(&v);
        let stats = report
            .get("stats")
            .ok_or_else(|| self.error(path, "the answer has no import report (stats)"))?;
        let n = |k: &str| stats.get(k).and_then(Value::as_u64).unwrap_or(0);
        let status = report
            .get("status")
            .or_else(|| v.get("status"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut conflicts = Vec::new();
        for t in report
            .get("typeReports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for o in t
                .get("objectReports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let uid = o.get("uid").and_then(Value::as_str).unwrap_or("");
                for e in o
                    .get("errorReports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let m = e.get("message").and_then(Value::as_str).unwrap_or("");
                    conflicts.push((uid.to_string(), m.to_string()));
                }
            }
        }
        Ok((
            status.clone(),
            ImportCount {
                status,
                imported: n("created"),
                updated: n("updated"),
                ignored: n("ignored"),
                deleted: n("deleted"),
                conflicts,
            },
        ))
    }
}

/// An address with any user:password@ taken out.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(a)) if a > s => format!("{}://…@{}", &url[..s], &url[a + 1..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_environment_and_never_show() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let t = Credentials::from_env(env(&[(TOKEN_VAR, "d2pat_secret"), (USER_VAR, "admin")]));
        assert_eq!(t, Credentials::Token("d2pat_secret".into()));
        assert_eq!(format!("{t:?}"), "Token(…)");
        assert_eq!(t.header().unwrap(), "ApiToken d2pat_secret");
        let b = Credentials::from_env(env(&[(USER_VAR, "admin"), (PASSWORD_VAR, "district")]));
        assert_eq!(b.header().unwrap(), "Basic YWRtaW46ZGlzdHJpY3Q=");
        assert!(!format!("{b:?}").contains("district"));
        assert_eq!(
            Credentials::from_env(env(&[(USER_VAR, "admin")])),
            Credentials::Anonymous
        );
    }

    #[test]
    fn addresses_are_checked_and_credentials_in_them_refused_unshown() {
        assert_eq!(
            Dhis2Server::new("https://play.example.org/dhis/api/", Credentials::Anonymous)
                .unwrap()
                .address(),
            "https://play.example.org/dhis"
        );
        let e = Dhis2Server::new("https://admin:district@h.org", Credentials::Anonymous)
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("district"), "{e}");
        assert!(Dhis2Server::new("ftp://h.org", Credentials::Anonymous).is_err());
    }
}
