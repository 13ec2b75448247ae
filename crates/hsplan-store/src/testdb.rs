//! A fresh PostgreSQL database per test run, dropped afterwards.
//!
//! The server is named by `HSPLAN_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`); the user must be allowed to create
//! databases. Where no server answers, [`TestDb::new`] panics with a message saying how
//! to point the tests at one: nothing is skipped silently.

use postgres::{Client, NoTls};
use std::sync::atomic::{AtomicU32, Ordering};

/// The default test server.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database that exists while this value lives.
#[derive(Debug)]
pub struct TestDb {
    admin_url: String,
    name: String,
    url: String,
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

fn admin(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|e| {
        panic!(
            "the PostgreSQL tests need a server: none answered at {} ({e}).\n\
             Start one, or set HSPLAN_TEST_PG=postgres://USER@HOST:PORT/DB for a user who may create databases.",
            crate::postgres::redacted(url)
        )
    })
}

impl TestDb {
    /// Creates a fresh, empty database.
    pub fn new() -> TestDb {
        let admin_url = std::env::var("HSPLAN_TEST_PG").unwrap_or_else(|_| DEFAULT_URL.into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "hsplan_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let url = with_database(&admin_url, &name);
        let (a, n) = (admin_url.clone(), name.clone());
        // a blocking client must not run on an async runtime's thread
        std::thread::spawn(move || {
            admin(&a)
                .batch_execute(&format!("CREATE DATABASE {n}"))
                .unwrap_or_else(|e| panic!("creating test database {n}: {e}"));
        })
        .join()
        .expect("database created");
        TestDb {
            admin_url,
            name,
            url,
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs SQL as the administrating user in this database (to simulate tampering).
    pub fn execute_as_admin(&self, sql: &str) -> Result<(), postgres::Error> {
        let (url, sql) = (self.url.clone(), sql.to_string());
        std::thread::spawn(move || admin(&url).batch_execute(&sql))
            .join()
            .expect("admin statement ran")
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (a, n) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = Client::connect(&a, NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
            }
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
