//! Load test of a running hsplan server on loopback: CLIENTS concurrent keep-alive clients
//! for SECONDS over a mix of read endpoints of the demo store; prints latency percentiles,
//! throughput and errors. Bounded in count and time; talks only to the address given.
//!
//!     cargo run --release -p hsplan-server --example load -- 127.0.0.1:8080 100 60
//!
//! On a shared store, `HSPLAN_TOKEN` is sent as the bearer token; with `HSPLAN_WRITE_EVERY=N`
//! and `HSPLAN_FACILITIES=id,id,…` every Nth request of a client is a form save of its own
//! facility's 2024 (client k saves facility k mod the list), and saves are reported apart.
//!
//! Also times the web app's first load (index, script, style, config, status) and one
//! siting job over HTTP (start → done, polling).

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The read mix: what a planner's browser asks for while working.
const MIX: &[&str] = &[
    "/api/status",
    "/api/units/500109?year=2024",
    "/api/units/500109/children",
    "/api/units?q=%E8%A1%97%E9%81%93&within=500109&limit=20",
    "/api/facilities?unit=500109&year=2024&page_size=100",
    "/api/indicators?unit=500109001&year=2024",
    "/api/map/choropleth?unit=500109&indicator=beds_per_1000&year=2024",
    "/api/plans",
    "/api/plans/beibei-14th-fyp",
    "/api/evaluations?plan=beibei-14th-fyp&year=2024",
    "/api/standards?year=2024&unit=500109&severity=high",
    "/api/health",
];

struct Conn {
    reader: BufReader<TcpStream>,
    addr: String,
    auth: String,
}

fn auth_header() -> String {
    std::env::var("HSPLAN_TOKEN")
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default()
}

impl Conn {
    async fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(s),
            addr: addr.to_string(),
            auth: auth_header(),
        })
    }

    /// One request on the kept-alive connection; returns the status.
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            self.auth,
            body.len()
        );
        self.reader.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            }
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).await?;
                let n = usize::from_str_radix(line.trim(), 16)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                let mut chunk = vec![0; n + 2];
                self.reader.read_exact(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.reader.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let clients: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let seconds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(60);
    if !addr.starts_with("127.") && !addr.starts_with("localhost") && !addr.starts_with("[::1]") {
        eprintln!("load tests run on loopback only");
        std::process::exit(2);
    }

    // First load of the web app: the page, its script and style, then its first API calls.
    let start = Instant::now();
    let mut c = Conn::open(&addr).await?;
    for path in ["/", "/app.js", "/app.css", "/api/config", "/api/status"] {
        let (status, _) = c.request("GET", path, "").await?;
        assert_eq!(status, 200, "{path}");
    }
    println!(
        "first load (index + app.js + app.css + config + status, one connection): {:.1} ms",
        ms(start.elapsed())
    );

    // Warm-up pass over the mix.
    for path in MIX {
        let (status, body) = c.request("GET", path, "").await?;
        if status != 200 {
            eprintln!("{path}: {status} {}", String::from_utf8_lossy(&body));
            std::process::exit(1);
        }
    }

    let write_every: usize = std::env::var("HSPLAN_WRITE_EVERY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let facilities: Vec<String> = std::env::var("HSPLAN_FACILITIES")
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for k in 0..clients {
        let addr = addr.clone();
        let own = (write_every > 0 && !facilities.is_empty())
            .then(|| facilities[k % facilities.len()].clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut writes = Vec::new();
            let mut errors = 0u64;
            let mut conn = match Conn::open(&addr).await {
                Ok(c) => c,
                Err(_) => return (lat, writes, 1),
            };
            let form = own.as_ref().map(|id| format!("/api/facilities/{id}/years/2024"));
            let mut version = 0;
            if let Some(form) = &form
                && let Ok((200, body)) = conn.request("GET", form, "").await
            {
                version = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["version"].as_i64())
                    .unwrap_or(0);
            }
            let mut i = k;
            while Instant::now() < deadline {
                i += 1;
                if let Some(form) = &form
                    && i % write_every == 0
                {
                    let body = format!(
                        r#"{{"version":{version},"quantities":{{"beds":{}}},"confirm_jumps":true}}"#,
                        100 + i % 7
                    );
                    let t = Instant::now();
                    match conn.request("PUT", form, &body).await {
                        Ok((200, reply)) => {
                            writes.push(t.elapsed());
                            version = serde_json::from_slice::<serde_json::Value>(&reply)
                                .ok()
                                .and_then(|v| v["version"].as_i64())
                                .unwrap_or(version);
                        }
                        _ => errors += 1,
                    }
                    continue;
                }
                let path = MIX[i % MIX.len()];
                let t = Instant::now();
                match conn.request("GET", path, "").await {
                    Ok((200, _)) => lat.push(t.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::open(&addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (lat, writes, errors)
        }));
    }
    let mut all = Vec::new();
    let mut saves = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, w, e) = t.await.expect("client task");
        all.extend(lat);
        saves.extend(w);
        errors += e;
    }
    all.sort();
    saves.sort();
    if !saves.is_empty() {
        println!(
            "form saves: {} ({:.0}/s); latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
            saves.len(),
            saves.len() as f64 / seconds as f64,
            ms(percentile(&saves, 50.0)),
            ms(percentile(&saves, 90.0)),
            ms(percentile(&saves, 99.0)),
            ms(saves.last().copied().unwrap_or_default()),
        );
    }
    println!(
        "{clients} clients, {seconds} s, {} endpoints: {} requests ({:.0}/s), {errors} errors; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        MIX.len(),
        all.len(),
        all.len() as f64 / seconds as f64,
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 90.0)),
        ms(percentile(&all, 99.0)),
        ms(all.last().copied().unwrap_or_default()),
    );

    // One siting job over HTTP, the demo's question (MCLP, p = 3, 10 min).
    let body = r#"{"model":"mclp","p":3,"minutes":10,"candidate_spacing":1000,"name":"load-mclp"}"#;
    let t = Instant::now();
    let (status, reply) = c.request("POST", "/api/jobs/siting", body).await?;
    if status != 202 {
        println!(
            "siting job not started: {status} {}",
            String::from_utf8_lossy(&reply)
        );
        return Ok(());
    }
    let id = serde_json::from_slice::<serde_json::Value>(&reply)
        .ok()
        .and_then(|v| v["id"].as_u64())
        .unwrap_or(0);
    loop {
        let (_, reply) = c.request("GET", &format!("/api/jobs/{id}"), "").await?;
        let v: serde_json::Value = serde_json::from_slice(&reply).unwrap_or_default();
        if v["state"] != "running" {
            println!(
                "siting job over HTTP (MCLP p=3, 10 min): {:.1} ms wall, {:.1} ms in the job ({})",
                ms(t.elapsed()),
                v["seconds"].as_f64().unwrap_or(0.0) * 1000.0,
                v["state"]
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}
