//! `hsplan access` end to end on the real Monaco extract.

use std::path::Path;

fn hsplan() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hsplan").unwrap()
}

fn pbf() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/osm/monaco.osm.pbf")
}

#[test]
fn monaco_graph_coverage_e2sfca_isochrones() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    for (profile, file) in [("car-urban", "car.hsg"), ("walk", "walk.hsg")] {
        let out = hsplan()
            .args(["access", "graph", "build"])
            .arg(pbf())
            .args(["--profile", profile, "--out"])
            .arg(p(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("largest strongly connected component"),
            "{text}"
        );
    }
    hsplan()
        .args(["access", "facilities"])
        .arg(pbf())
        .arg("--out")
        .arg(p("fac.csv"))
        .assert()
        .success();
    let fac = std::fs::read_to_string(p("fac.csv")).unwrap();
    assert!(
        fac.lines().filter(|l| l.contains(",hospital,")).count() >= 5,
        "{fac}"
    );
    // Coverage of the hospitals and clinics by car, JSON.
    let out = hsplan()
        .args(["access", "coverage", "--graph"])
        .arg(p("car.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args([
            "--kinds",
            "hospital,clinic",
            "--demand-grid",
            "200",
            "--thresholds",
            "2,5,10",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["synthetic_demand"], true);
    let shares: Vec<f64> = json["coverage"]["total"]["share_pct"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(shares.len(), 3);
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "coverage grows with the threshold: {shares:?}"
    );
    assert!(shares[2] > 0.0 && shares[0] < 100.0);
    // E2SFCA and isochrones.
    hsplan()
        .args(["access", "e2sfca", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--demand-grid", "200", "--out"])
        .arg(p("a.csv"))
        .assert()
        .success();
    let a = std::fs::read_to_string(p("a.csv")).unwrap();
    assert!(a.lines().count() > 50);
    hsplan()
        .args(["access", "isochrones", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--kinds", "hospital", "--thresholds", "5,10", "--out"])
        .arg(p("iso.geojson"))
        .assert()
        .success();
    let iso: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("iso.geojson")).unwrap()).unwrap();
    let features = iso["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    for f in features {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        for poly in f["geometry"]["coordinates"].as_array().unwrap() {
            for ring in poly.as_array().unwrap() {
                let r = ring.as_array().unwrap();
                assert!(r.len() >= 4 && r.first() == r.last(), "closed rings");
            }
        }
    }
    // A corrupt graph file is refused with its name.
    std::fs::write(p("bad.hsg"), b"HSPLGRPH garbage").unwrap();
    let out = hsplan()
        .args(["access", "coverage", "--graph"])
        .arg(p("bad.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--demand-grid", "200"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.hsg"));
}

/// Regression: absurd numbers were accepted (negative thresholds, dispatch and snap
/// distance; an isochrone raster of 1 cm that tried to allocate ~74 GB and aborted).
/// They are now refused, each with the field named, before any work is done.
#[test]
fn absurd_access_options_are_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    hsplan()
        .args(["access", "graph", "build"])
        .arg(pbf())
        .args(["--profile", "walk", "--out"])
        .arg(p("walk.hsg"))
        .assert()
        .success();
    hsplan()
        .args(["access", "facilities"])
        .arg(pbf())
        .arg("--out")
        .arg(p("fac.csv"))
        .assert()
        .success();
    let base = |extra: &[&str]| {
        let mut c = hsplan();
        c.args(["--lang", "en", "access", "coverage", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p("fac.csv"))
            .args(["--demand-grid", "300"])
            .args(extra);
        c.output().unwrap()
    };
    for (extra, field) in [
        (&["--thresholds=-5"][..], "thresholds"),
        (&["--thresholds", "NaN"][..], "thresholds"),
        (
            &["--thresholds", "5", "--dispatch-min=-100"][..],
            "dispatch_min",
        ),
        (&["--thresholds", "5", "--max-snap-m=-1"][..], "max_snap_m"),
        (&["--thresholds", "5", "--walk-kmh", "0"][..], "walk_kmh"),
    ] {
        let out = base(extra);
        assert!(!out.status.success(), "{extra:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field), "{extra:?}: {err}");
    }
    // E2SFCA decays that gave all zeros with exit 0
    for decay in ["gaussian:0", "gaussian:-5", "steps:NaN=1", "steps:10=2"] {
        let out = hsplan()
            .args(["access", "e2sfca", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p("fac.csv"))
            .args(["--demand-grid", "300", "--decay", decay, "--out"])
            .arg(p("e.csv"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{decay} was accepted");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("decay"),
            "{decay}"
        );
    }
    let out = hsplan()
        .args(["access", "isochrones", "--graph"])
        .arg(p("walk.hsg"))
        .arg("--facilities")
        .arg(p("fac.csv"))
        .args(["--thresholds", "5", "--cell-m", "0.01", "--out"])
        .arg(p("iso.geojson"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cell_m"));
    assert!(!p("iso.geojson").exists());
}

#[test]
fn absurd_access_inputs_are_refused_and_messages_read_right() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    let run = |args: &[&std::ffi::OsStr]| {
        let mut c = hsplan();
        c.args(["--lang", "en"]).args(args);
        c.output().unwrap()
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    // a 0-byte PBF and a road GeoJSON far outside the globe build nothing
    std::fs::write(p("empty.pbf"), b"").unwrap();
    std::fs::write(
        p("bad.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"LineString","coordinates":[[500,95],[501,95.1]]}}]}"#,
    )
    .unwrap();
    for (input, expect) in [("empty.pbf", "no roads"), ("bad.geojson", "feature 1")] {
        let out = run(&[
            &os("access"),
            &os("graph"),
            &os("build"),
            p(input).as_os_str(),
            &os("--out"),
            p("x.hsg").as_os_str(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expect),
            "{input}: {err}"
        );
        assert!(!p("x.hsg").exists());
    }
    hsplan()
        .args(["access", "graph", "build"])
        .arg(pbf())
        .args(["--profile", "walk", "--out"])
        .arg(p("walk.hsg"))
        .assert()
        .success();
    std::fs::write(
        p("fac.csv"),
        "id,kind,lon,lat,capacity\nh1,hospital,7.42,43.735,10\nh2,hospital,200,43.7,5\n",
    )
    .unwrap();
    std::fs::write(
        p("neg.csv"),
        "id,kind,lon,lat,capacity\nh1,hospital,7.42,43.735,-10\n",
    )
    .unwrap();
    std::fs::write(p("ok.csv"), "id,kind,lon,lat\nh1,hospital,7.42,43.735\n").unwrap();
    std::fs::write(
        p("huge.csv"),
        "id,lon,lat,population\np1,7.42,43.735,1e308\n",
    )
    .unwrap();
    std::fs::write(
        p("nounit.csv"),
        "id,lon,lat,population\np1,7.42,43.735,100\np2,7.425,43.74,50\n",
    )
    .unwrap();
    let coverage = |fac: &str, demand: &[&str]| {
        let mut c = hsplan();
        c.args(["--lang", "en", "access", "coverage", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p(fac))
            .args(demand);
        c.output().unwrap()
    };
    let nounit = p("nounit.csv").display().to_string();
    let huge = p("huge.csv").display().to_string();
    for (fac, demand, expect) in [
        (
            "fac.csv",
            vec!["--demand", nounit.as_str()],
            "line 3, columns `lon`,`lat`",
        ),
        (
            "neg.csv",
            vec!["--demand", nounit.as_str()],
            "column `capacity`",
        ),
        (
            "ok.csv",
            vec!["--demand", huge.as_str()],
            "column `population`",
        ),
        ("ok.csv", vec!["--demand-grid", "0.5"], "--demand"),
    ] {
        let out = coverage(fac, &demand);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expect),
            "{fac} {demand:?}: {err}"
        );
    }
    // points without a unit: one ALL row, and never a "-0"
    let out = coverage(
        "ok.csv",
        &["--demand", nounit.as_str(), "--thresholds", "60"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches("ALL").count(), 1, "{text}");
    assert!(
        text.contains("population 0") && !text.contains("-0"),
        "{text}"
    );
}

#[test]
fn option_checks_speak_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    hsplan()
        .args(["access", "graph", "build"])
        .arg(pbf())
        .args(["--profile", "walk", "--out"])
        .arg(p("walk.hsg"))
        .assert()
        .success();
    std::fs::write(p("ok.csv"), "id,kind,lon,lat\nh1,hospital,7.42,43.735\n").unwrap();
    for (lang, expect) in [
        (
            "zh-CN",
            "walk_kmh：`-4.5`：应为大于 0、不超过 100 的速度（千米/小时）",
        ),
        (
            "en",
            "walk_kmh: `-4.5`: expected a speed in km/h above 0 and at most 100",
        ),
    ] {
        let out = hsplan()
            .args(["--lang", lang, "access", "coverage", "--graph"])
            .arg(p("walk.hsg"))
            .arg("--facilities")
            .arg(p("ok.csv"))
            .args(["--demand-grid", "300", "--walk-kmh=-4.5"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expect),
            "{lang}: {err}"
        );
    }
}

/// A graph built with `--ch` (or given one by `graph ch`) answers coverage by PHAST sweeps:
/// the same points, minutes and facilities as Dijkstra on the plain graph, both directions.
#[test]
fn a_stored_contraction_hierarchy_answers_coverage_like_dijkstra() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    for (file, ch) in [("plain.hsg", false), ("ch.hsg", true)] {
        let mut cmd = hsplan();
        cmd.args(["--lang", "en", "access", "graph", "build"])
            .arg(pbf())
            .args(["--profile", "car-urban", "--out"])
            .arg(p(file));
        if ch {
            cmd.arg("--ch");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.contains("contraction hierarchy:"), ch, "{text}");
    }
    // `graph ch` on the plain file stores the same hierarchy, byte for byte
    let out = hsplan()
        .args(["--lang", "zh", "access", "graph", "ch"])
        .arg(p("plain.hsg"))
        .arg("--out")
        .arg(p("later.hsg"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("收缩层次"));
    assert_eq!(
        std::fs::read(p("later.hsg")).unwrap(),
        std::fs::read(p("ch.hsg")).unwrap()
    );
    assert!(!p("later.hsg.partial").exists());
    hsplan()
        .args(["access", "facilities"])
        .arg(pbf())
        .arg("--out")
        .arg(p("fac.csv"))
        .assert()
        .success();
    for direction in ["to", "from"] {
        let mut engines = Vec::new();
        for file in ["plain.hsg", "ch.hsg"] {
            let points = p(&format!("{file}-{direction}.csv"));
            let out = hsplan()
                .args(["--lang", "en", "access", "coverage", "--graph"])
                .arg(p(file))
                .arg("--facilities")
                .arg(p("fac.csv"))
                .args(["--kinds", "hospital,clinic,doctors", "--demand-grid", "150"])
                .args(["--thresholds", "1,3,6", "--direction", direction])
                .arg("--out-points")
                .arg(&points)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            engines.push(text.contains("(contraction hierarchy)"));
            assert!(text.contains("(Dijkstra)") || text.contains("(contraction hierarchy)"));
        }
        assert_eq!(engines, vec![false, true], "{direction}");
        let plain = std::fs::read_to_string(p(&format!("plain.hsg-{direction}.csv"))).unwrap();
        let ch = std::fs::read_to_string(p(&format!("ch.hsg-{direction}.csv"))).unwrap();
        assert!(plain.lines().count() > 50, "{plain}");
        assert!(
            plain
                .lines()
                .filter(|l| l.split(',').nth(3).is_some_and(|m| !m.is_empty()))
                .count()
                > 20,
            "some points are covered: {plain}"
        );
        assert_eq!(plain, ch, "{direction}");
    }
    // E2SFCA: the hierarchy's many-to-many catchment costs give Dijkstra's pairs, minutes
    // and scores; the engine is named
    let mut runs = Vec::new();
    for file in ["plain.hsg", "ch.hsg"] {
        let (scores, costs) = (
            p(&format!("{file}-e2sfca.csv")),
            p(&format!("{file}-costs.csv")),
        );
        let out = hsplan()
            .args(["--lang", "en", "access", "e2sfca", "--graph"])
            .arg(p(file))
            .arg("--facilities")
            .arg(p("fac.csv"))
            .args([
                "--demand-grid",
                "150",
                "--decay",
                "steps:3=1,6=0.5",
                "--out",
            ])
            .arg(&scores)
            .arg("--out-costs")
            .arg(&costs)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let engine = if file == "ch.hsg" {
            "contraction hierarchy;"
        } else {
            "Dijkstra;"
        };
        assert!(text.contains(engine), "{text}");
        let numbers = |f: &std::path::Path| -> Vec<(String, f64)> {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .skip(1)
                .map(|l| {
                    let (key, value) = l.rsplit_once(',').unwrap();
                    (key.to_string(), value.parse().unwrap())
                })
                .collect()
        };
        runs.push((numbers(&scores), numbers(&costs)));
    }
    let close = |a: &[(String, f64)], b: &[(String, f64)]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() <= 1e-8 * y.1.abs().max(1e-12))
    };
    assert!(runs[0].1.len() > 100, "{}", runs[0].1.len());
    assert!(runs[0].0.iter().filter(|x| x.1 > 0.0).count() > 20);
    assert!(close(&runs[0].1, &runs[1].1), "costs differ");
    assert!(close(&runs[0].0, &runs[1].0), "scores differ");
    // siting searches its catchments through the hierarchy too: the same answer
    let mut answers = Vec::new();
    for file in ["plain.hsg", "ch.hsg"] {
        let out = hsplan()
            .args(["site", "mclp", "--graph"])
            .arg(p(file))
            .args(["--demand-grid", "150", "--existing"])
            .arg(p("fac.csv"))
            .args(["--kinds", "pharmacy", "--candidate-spacing", "250"])
            .args(["--p", "2", "--minutes", "3", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        answers.push((
            s["objective"].clone(),
            s["pairs"].clone(),
            s["new_sites"].clone(),
        ));
    }
    assert!(answers[0].1.as_u64().unwrap() > 100, "{:?}", answers[0]);
    assert_eq!(answers[0], answers[1]);
}
