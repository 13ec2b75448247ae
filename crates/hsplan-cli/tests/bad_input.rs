//! Bad input is rejected with file, row, column, value and expectation, a
//! non-zero exit code, and the store exactly as it was.

mod common;
use common::*;

struct Case {
    name: &'static str,
    kind: &'static str,
    file: &'static str,
    content: &'static [u8],
    /// Fragments the error message must contain.
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "malformed code",
        kind: "units",
        file: "u.csv",
        content: b"code,name\n500109003000,ok\n50010x,bad\n",
        expect: &["u.csv, row 3, column `code`: value `50010x`", "12 digits"],
    },
    Case {
        name: "code does not extend the parent's",
        kind: "units",
        file: "u.csv",
        content: b"code,name,parent_code\n500109003001,x,500110003000\n",
        expect: &["row 2, column `parent_code`: value `500110003000`", "500109003000"],
    },
    Case {
        name: "level contradicts the code",
        kind: "units",
        file: "u.csv",
        content: b"code,name,level\n500109003,x,village\n",
        expect: &["row 2, column `level`: value `village`", "`town`"],
    },
    Case {
        name: "parent not in store (rolls back the whole file)",
        kind: "units",
        file: "u.csv",
        content: b"code,name\n500109003000,ok\n500199001000,orphan\n",
        expect: &["u.csv, row 3, column `code`: value `500199001000`", "parent 500199000000", "nothing was imported"],
    },
    Case {
        name: "missing required column",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year\n500109000000,2021\n",
        expect: &["p.csv: missing required column `resident`", "常住人口"],
    },
    Case {
        name: "unknown column (typo)",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year,residnet\n500109000000,2021,5\n",
        expect: &["p.csv, row 1, column 3: unknown column `residnet`"],
    },
    Case {
        name: "not a number",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year,resident\n500109000000,2021,lots\n",
        expect: &["row 2, column `resident`: value `lots`", "non-negative whole number"],
    },
    Case {
        name: "negative count",
        kind: "resources",
        file: "r.csv",
        content: b"facility_id,year,beds\nEX-H001,2021,-5\n",
        expect: &["r.csv, row 2, column `beds`: value `-5`", "cannot be negative"],
    },
    Case {
        name: "year out of range",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year,resident\n500109000000,1850,5\n",
        expect: &["row 2, column `year`: value `1850`", "1949"],
    },
    Case {
        name: "age band larger than total",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year,resident,age_0_14\n500109000000,2021,100,150\n",
        expect: &["row 2, column `age_0_14`: value `150`", "exceeds resident (100)"],
    },
    Case {
        name: "unknown institution type",
        kind: "facilities",
        file: "f.csv",
        content: "id,name,type,ownership,unit_code\nX1,某机构,卫生大楼,government,500109001000\n".as_bytes(),
        expect: &["f.csv, row 2, column `type`: value `卫生大楼`", "institution type"],
    },
    Case {
        name: "bad grade",
        kind: "facilities",
        file: "f.csv",
        content: "id,name,type,grade,ownership,unit_code\nX1,某医院,general_hospital,四级,government,500109001000\n".as_bytes(),
        expect: &["row 2, column `grade`: value `四级`", "三级甲等"],
    },
    Case {
        name: "closes before it opens",
        kind: "facilities",
        file: "f.csv",
        content: b"id,name,type,ownership,unit_code,opened,closed\nX1,c,clinic,private,500109001000,2020,2019\n",
        expect: &["row 2, column `closed`: value `2019`", "not before the opening year 2020"],
    },
    Case {
        name: "facility in an unknown unit",
        kind: "facilities",
        file: "f.csv",
        content: b"id,name,type,ownership,unit_code\nX1,c,clinic,private,500109099000\n",
        expect: &["f.csv, row 2, column `unit_code`: value `500109099000`", "a unit in the store"],
    },
    Case {
        name: "resources of an unknown facility",
        kind: "resources",
        file: "r.csv",
        content: b"facility_id,year,beds\nEX-H001,2021,10\nNOPE,2021,10\n",
        expect: &["r.csv, row 3, column `facility_id`: value `NOPE`"],
    },
    Case {
        name: "part exceeds whole",
        kind: "resources",
        file: "r.csv",
        content: b"facility_id,year,beds,beds_icu\nEX-H001,2021,10,12\n",
        expect: &["row 2, column `beds_icu`: value `12`", "at most 10"],
    },
    Case {
        name: "unknown capability",
        kind: "resources",
        file: "r.csv",
        content: b"facility_id,year,capabilities\nEX-H001,2021,fever_clinic;helipad\n",
        expect: &["row 2, column `capabilities`: value `helipad`"],
    },
    Case {
        name: "duplicate key in one file",
        kind: "resources",
        file: "r.csv",
        content: b"facility_id,year,beds\nEX-H001,2021,10\nEX-H001,2021,11\n",
        expect: &["r.csv, row 3: duplicate facility and year `EX-H001 2021` (first at row 2)"],
    },
    Case {
        name: "ragged CSV row",
        kind: "population",
        file: "p.csv",
        content: b"unit_code,year,resident\n500109000000,2021,5,9\n",
        expect: &["p.csv, row 2: malformed CSV: 4 fields where the header has 3"],
    },
    Case {
        name: "coordinate out of range",
        kind: "units",
        file: "u.csv",
        content: b"code,name,lon,lat\n500109003000,x,206.4,29.8\n",
        expect: &["row 2, column `lon`: value `206.4, 29.8`", "longitude"],
    },
    Case {
        name: "GeoJSON feature without a code",
        kind: "geojson",
        file: "g.geojson",
        content: br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[106,29]}}]}"#,
        expect: &["g.geojson, feature 1: has no code property"],
    },
    Case {
        name: "GeoJSON with an unsupported geometry",
        kind: "geojson",
        file: "g.geojson",
        content: br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"500109"},"geometry":{"type":"LineString","coordinates":[[106,29],[107,30]]}}]}"#,
        expect: &["g.geojson, feature 1: geometry type `LineString` is not supported"],
    },
    Case {
        name: "GeoJSON with a code twice (CSV refuses repeats too)",
        kind: "geojson",
        file: "g.geojson",
        content: br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"500109001000"},"geometry":{"type":"Point","coordinates":[106,29]}},{"type":"Feature","properties":{"code":"500109001000"},"geometry":{"type":"Point","coordinates":[106.1,29]}}]}"#,
        expect: &["g.geojson, feature 2: property `code`: code 500109001000 repeats feature 1"],
    },
    Case {
        name: "GeoJSON feature of a unit not in the store (named as a feature)",
        kind: "geojson",
        file: "g.geojson",
        content: br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"500109999000"},"geometry":{"type":"Point","coordinates":[106,29]}}]}"#,
        expect: &["g.geojson, feature 1, code `500109999000`: expected the code of a unit in the store"],
    },
    Case {
        name: "not UTF-8",
        kind: "units",
        file: "u.csv",
        content: b"code,name\n500109003000,\xb1\xb1\xb1\xda\n",
        expect: &["u.csv, row 2, column `#2`", "UTF-8"],
    },
    Case {
        name: "unsupported file type",
        kind: "units",
        file: "u.txt",
        content: b"code,name\n",
        expect: &["u.txt: unsupported file type; expected .csv or .xlsx"],
    },
];

#[test]
fn every_bad_input_is_rejected_precisely_and_leaves_the_store_unchanged() {
    assert!(CASES.len() >= 10);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    load_examples(&db);
    let before = dump(&db, dir.path());
    for case in CASES {
        let path = dir.path().join(case.file);
        std::fs::write(&path, case.content).unwrap();
        let output = hsplan(&db)
            .args(["import", case.kind])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{}: accepted", case.name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for fragment in case.expect {
            assert!(
                stderr.contains(fragment),
                "{}: `{fragment}` not in:\n{stderr}",
                case.name
            );
        }
        assert_eq!(
            dump(&db, dir.path()),
            before,
            "{}: store changed",
            case.name
        );
    }
}

#[test]
fn bad_xlsx_cell_names_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    load_examples(&db);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("population").unwrap();
    for (c, h) in ["统计用区划代码", "年份", "常住人口"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "500109000000").unwrap();
    sheet.write_number(1, 1, 2021).unwrap();
    sheet.write_number(1, 2, 830000.5).unwrap();
    let path = dir.path().join("p.xlsx");
    book.save(&path).unwrap();
    let before = dump(&db, dir.path());
    let output = hsplan(&db)
        .args(["import", "population"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("p.xlsx[population], row 2, column `resident`: value `830000.5`"),
        "{stderr}"
    );
    assert_eq!(dump(&db, dir.path()), before);
}

/// `hsplan indicators --files DIR`: a whole system from flat files, every unit and year;
/// a bad cell is named with file, row and column and nothing is written.
#[test]
fn indicators_from_files_every_unit_and_year_and_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    std::fs::write(
        p("units.csv"),
        "code\n500000000000\n500109000000\n500109001000\n",
    )
    .unwrap();
    std::fs::write(
        p("facilities.csv"),
        "fid,unit,kind,grade,ownership\nH1,500109000000,general_hospital,3a,government\nC1,500109001000,township_health_centre,ungraded,government\n",
    )
    .unwrap();
    std::fs::write(
        p("resources.csv"),
        "fid,year,beds,registered_nurses\nH1,2024,600,300\nC1,2024,40,12\n",
    )
    .unwrap();
    std::fs::write(
        p("population.csv"),
        "unit,year,resident\n500109001000,2024,40000\n500109000000,2024,800000\n",
    )
    .unwrap();
    let out = hsplan(&p("unused.db"))
        .args(["indicators", "--files"])
        .arg(dir.path())
        .args([
            "--only",
            "beds_per_1000,registered_nurses_per_1000",
            "--out",
        ])
        .arg(p("values.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("3 units, 2 facilities, 1 years: 2 indicators"),
        "{text}"
    );
    let csv = std::fs::read_to_string(p("values.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "unit,year,beds_per_1000,registered_nurses_per_1000"
    );
    // the county: (600 + 40) / 800,000 × 1000; the town: 40 / 40,000 × 1000; the
    // municipality has no record of its own and sums its one county
    assert_eq!(lines.len(), 4, "{csv}");
    let row = |unit: &str| -> Vec<f64> {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{unit},2024,")))
            .unwrap_or_else(|| panic!("{unit}: {csv}"));
        line.split(',')
            .skip(2)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
    assert!(close(&row("500109000000"), &[0.8, 0.39]), "{csv}");
    assert!(close(&row("500109001000"), &[1.0, 0.3]), "{csv}");
    assert!(close(&row("500000000000"), &[0.8, 0.39]), "{csv}");
    // a bad cell: located, non-zero exit, no output file
    std::fs::write(
        p("resources.csv"),
        "fid,year,beds,registered_nurses\nH1,2024,600,300\nC1,2024,-4,12\n",
    )
    .unwrap();
    let out = hsplan(&p("unused.db"))
        .args(["indicators", "--files"])
        .arg(dir.path())
        .arg("--out")
        .arg(p("again.csv"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("resources.csv, row 3, column `beds`: value `-4`"),
        "{err}"
    );
    assert!(!p("again.csv").exists());
    // an unknown indicator is named
    let out = hsplan(&p("unused.db"))
        .args(["indicators", "--files"])
        .arg(dir.path())
        .args(["--only", "beds_per_cow"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("beds_per_cow"));
}
