//! Malformed plan files each give a precise error: file:line:column, a caret, and what was expected.

const VALID: &str = r#"[plan]
id = "test-plan"
title_zh = "测试规划"
title_en = "Test plan"
issuer = "测试"
jurisdiction = "500109"
level = "county"
period = [2021, 2025]
baseline_year = 2020
target_years = [2025]
source = "test"

[[indicators]]
table = "专栏1"
row = "1"
id = "beds_per_1000"
name_zh = "每千人口医疗卫生机构床位数（张）"
name_en = "Beds per 1,000"
unit = "张/千人"
direction = "higher"
baseline = "6.57"
target = "8.32"
nature = "expected"

[[indicators]]
table = "专栏1"
row = "1.1"
sub_of = "1"
id = "public_hospital_beds_per_1000"
name_zh = "其中：公立医院床位数（张）"
name_en = "of which public"
unit = "张/千人"
direction = "higher"
baseline = "4.44"
target = "4.5"
nature = "expected"

[[equipment_quotas]]
table = "专栏2"
name_zh = "PET/CT"
name_en = "PET/CT"
quantity = "pet_ct"
unit = "台"
baseline = 0
planned = 1
"#;

fn error_for(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "fixture lacks `{from}`");
    let text = VALID.replacen(from, to, 1);
    match hsplan_plan::load("p.toml", &text) {
        Ok(_) => panic!("`{to}` was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_fixture_is_valid() {
    let plan = hsplan_plan::load("p.toml", VALID).unwrap();
    assert_eq!(plan.data.indicators.len(), 2);
    assert!(hsplan_plan::lint(&plan).is_empty());
}

#[test]
fn malformed_files_give_precise_errors() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (replace, with, location, message fragment)
        (
            "title_en = \"Test plan\"",
            "title_en = \"Test plan",
            "p.toml:4:",
            "string",
        ),
        (
            "name_en = \"Beds per 1,000\"",
            "nme_en = \"Beds per 1,000\"",
            "p.toml:18:1",
            "unknown field `nme_en`",
        ),
        (
            "target = \"4.5\"\n",
            "",
            "p.toml:27:7",
            "row `1.1` has no target: only a row with sub-rows may omit it",
        ),
        (
            "baseline_year = 2020",
            "baseline_year = \"2020\"",
            "p.toml:9:17",
            "invalid type",
        ),
        (
            "nature = \"expected\"\n\n[[indicators]]",
            "nature = \"mandatory\"\n\n[[indicators]]",
            "p.toml:23:10",
            "unknown variant `mandatory`",
        ),
        (
            "direction = \"higher\"",
            "direction = \"up\"",
            "p.toml:20:13",
            "unknown variant `up`",
        ),
        (
            "jurisdiction = \"500109\"",
            "jurisdiction = \"5001x9\"",
            "p.toml:6:16",
            "jurisdiction: `5001x9` is not a statistical division code",
        ),
        (
            "level = \"county\"",
            "level = \"district\"",
            "p.toml:7:9",
            "level `district`: expected province, prefecture or county",
        ),
        (
            "period = [2021, 2025]",
            "period = [2025, 2021]",
            "p.toml:8:10",
            "period [2025, 2021]",
        ),
        (
            "target_years = [2025]",
            "target_years = [2019]",
            "p.toml:10:16",
            "target years [2019]",
        ),
        (
            "row = \"1.1\"",
            "row = \"1\"",
            "p.toml:27:7",
            "row `1` appears twice in 专栏1",
        ),
        (
            "id = \"beds_per_1000\"",
            "id = \"Beds-per-1000\"",
            "p.toml:16:6",
            "expected snake_case",
        ),
        (
            "unit = \"张/千人\"",
            "unit = \"beds per thousand\"",
            "p.toml:19:8",
            "unit `beds per thousand`: expected one of",
        ),
        (
            "baseline = \"6.57\"",
            "baseline = \"  \"",
            "p.toml:21:12",
            "baseline is empty",
        ),
        (
            "sub_of = \"1\"",
            "sub_of = \"9\"",
            "p.toml:28:10",
            "sub_of `9`: no such row in 专栏1",
        ),
        (
            "quantity = \"pet_ct\"",
            "quantity = \"pet_scanner\"",
            "p.toml:42:12",
            "quantity `pet_scanner`",
        ),
        (
            "planned = 1",
            "planned = -1",
            "p.toml:45:11",
            "count -1: expected a non-negative whole number",
        ),
        (
            "[plan]\nid = \"test-plan\"",
            "[plan]\nid = \"Test Plan\"",
            "p.toml:2:6",
            "plan id `Test Plan`",
        ),
    ];
    assert!(cases.len() >= 15);
    let msg = error_for("name_en = \"Beds per 1,000\"\n", "");
    assert!(
        msg.starts_with("p.toml:13:1") && msg.contains("missing field `name_en`"),
        "{msg}"
    );
    for (from, to, location, fragment) in cases {
        let msg = error_for(from, to);
        assert!(
            msg.starts_with(location),
            "`{to}`: expected location {location}, got:\n{msg}"
        );
        assert!(
            msg.contains(fragment),
            "`{to}`: expected `{fragment}` in:\n{msg}"
        );
        assert!(
            msg.contains(" | ") && msg.contains('^'),
            "`{to}`: no caret snippet:\n{msg}"
        );
    }
}

#[test]
fn caret_points_at_the_column() {
    let msg = error_for("level = \"county\"", "level = \"district\"");
    let lines: Vec<&str> = msg.lines().collect();
    assert_eq!(lines[2], "7 | level = \"district\"");
    assert_eq!(lines[3], "  |         ^");
}

#[test]
fn lint_rules_fire_at_their_boundaries() {
    let lint = |from: &str, to: &str| {
        let plan = hsplan_plan::load("p.toml", &VALID.replacen(from, to, 1)).unwrap();
        hsplan_plan::lint(&plan)
            .into_iter()
            .map(|f| f.rule)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lint("target = \"4.5\"", "target = \"8.32\""),
        Vec::<&str>::new(),
        "sub-row equal to total is fine"
    );
    assert_eq!(
        lint("target = \"4.5\"", "target = \"8.33\""),
        vec!["sub-row-exceeds-total"]
    );
    assert_eq!(
        lint("target = \"8.32\"", "target = \"6.57\""),
        vec!["target-met-at-baseline"]
    );
    assert_eq!(
        lint("target = \"8.32\"", "target = \"6.56\""),
        vec!["target-against-direction"]
    );
    assert_eq!(
        lint("unit = \"张/千人\"", "unit = \"人/万人\""),
        vec!["unit-mismatch"]
    );
    assert_eq!(lint("planned = 1", "planned = 0"), Vec::<&str>::new());
    assert_eq!(
        lint("baseline = 0", "baseline = 2"),
        vec!["quota-below-baseline"]
    );
}

#[test]
fn text_targets_are_checked_against_the_table() {
    let with_text = |target: &str, unit: &str| {
        let text = format!(
            "{VALID}\n[[text_targets]]\nsection = \"s\"\nquote = \"床位数达到8.32张\"\nsubject_zh = \"床位\"\nsubject_en = \"beds\"\nid = \"beds_per_1000\"\nunit = \"{unit}\"\ntarget = \"{target}\"\nyear = 2025\ndirection = \"higher\"\n"
        );
        let plan = hsplan_plan::load("p.toml", &text).unwrap();
        hsplan_plan::lint(&plan)
            .into_iter()
            .map(|f| f.rule)
            .collect::<Vec<_>>()
    };
    assert_eq!(with_text("8.32", "张/千人"), Vec::<&str>::new());
    assert_eq!(
        with_text("8.33", "张/千人"),
        vec!["text-target-differs-from-table"]
    );
    assert_eq!(
        with_text("8.32", "个/千人"),
        vec!["text-unit-differs-from-table"]
    );
    let bad = format!(
        "{VALID}\n[[text_targets]]\nsection = \"s\"\nquote = \"x\"\nsubject_zh = \"x\"\nsubject_en = \"x\"\nunit = \"%\"\ntarget = \"much\"\nyear = 2025\ndirection = \"higher\"\n"
    );
    let msg = hsplan_plan::load("p.toml", &bad).unwrap_err().to_string();
    assert!(msg.contains("target `much`: expected a number"), "{msg}");
}

#[test]
fn sub_of_itself_and_sub_of_cycles_are_refused() {
    let e = error_for("sub_of = \"1\"", "sub_of = \"1.1\"");
    assert!(
        e.contains("p.toml:28:10") && e.contains("cannot be a sub-row of itself"),
        "{e}"
    );
    let e = error_for(
        "row = \"1\"\nid = \"beds_per_1000\"",
        "row = \"1\"\nsub_of = \"1.1\"\nid = \"beds_per_1000\"",
    );
    assert!(
        e.contains("p.toml:") && e.contains("sub-rows of each other (a cycle)"),
        "{e}"
    );
}
