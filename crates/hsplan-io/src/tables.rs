//! The four tables of the model — units, population, facilities, resources —
//! converted between [`RawTable`]s and model records.

use crate::error::{ImportErrors, IoError};
use crate::table::{
    Column, Mapped, RawRow, RawTable, RowReader, TableSchema, parse_bool, parse_count, parse_float,
};
use hsplan_model::{
    AdminCode, AdminLevel, AdminUnit, AgeBands, Capability, Count, Facility, FacilityId,
    FacilityYear, Grade, InstitutionType, Labelled, LonLat, Origin, Ownership, Persons,
    PopulationRecord, PopulationSource, Quantity, Sourced, Specialty, UnitKind, UrbanRuralClass,
    Year, admin::AdminLevelLabel,
};
use std::collections::BTreeMap;

/// The table kinds hsplan imports and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Administrative units.
    Units,
    /// Population by unit and year.
    Population,
    /// Facilities.
    Facilities,
    /// Facility resources by year.
    Resources,
}

impl TableKind {
    /// The schema of this kind.
    pub fn schema(self) -> TableSchema {
        match self {
            TableKind::Units => units_schema(),
            TableKind::Population => population_schema(),
            TableKind::Facilities => facilities_schema(),
            TableKind::Resources => resources_schema(),
        }
    }
}

fn units_schema() -> TableSchema {
    TableSchema {
        name: "units",
        columns: vec![
            Column::text("code", "统计用区划代码", true).with_aliases(&["区划代码", "代码"]),
            Column::text("name", "名称", true).with_aliases(&["单位名称"]),
            Column::text("level", "级别", false),
            Column::text("parent_code", "上级代码", false),
            Column::text("kind", "类型", false),
            Column::text("urban_rural", "城乡分类代码", false),
            Column::number("lon", "经度", false).with_aliases(&["longitude"]),
            Column::number("lat", "纬度", false).with_aliases(&["latitude"]),
        ],
    }
}

fn population_schema() -> TableSchema {
    TableSchema {
        name: "population",
        columns: vec![
            Column::text("unit_code", "统计用区划代码", true).with_aliases(&[
                "区划代码",
                "代码",
                "code",
            ]),
            Column::number("year", "年份", true),
            Column::text("source", "数据来源", false),
            Column::number("resident", "常住人口", true),
            Column::number("male", "男性", false),
            Column::number("female", "女性", false),
            Column::number("age_0_2", "0-2岁", false).with_aliases(&["0～2岁"]),
            Column::number("age_0_4", "0-4岁", false).with_aliases(&["0～4岁"]),
            Column::number("age_0_14", "0-14岁", false).with_aliases(&["0～14岁"]),
            Column::number("age_15_64", "15-64岁", false).with_aliases(&["15～64岁"]),
            Column::number("age_60_plus", "60岁及以上", false),
            Column::number("age_65_plus", "65岁及以上", false),
            Column::number("live_births", "出生人数", false).with_aliases(&["活产数"]),
            Column::number("deaths", "死亡人数", false),
        ],
    }
}

fn facilities_schema() -> TableSchema {
    TableSchema {
        name: "facilities",
        columns: vec![
            Column::text("id", "机构代码", true).with_aliases(&["机构编号"]),
            Column::text("name", "机构名称", true).with_aliases(&["名称"]),
            Column::text("type", "机构类别", true).with_aliases(&["类别"]),
            Column::text("specialty", "专科类别", false),
            Column::text("grade", "等级", false).with_aliases(&["医院等级"]),
            Column::text("ownership", "举办主体", true).with_aliases(&["经济类型"]),
            Column::text("for_profit", "营利性", false),
            Column::text("unit_code", "所在区划代码", true).with_aliases(&["区划代码"]),
            Column::number("lon", "经度", false).with_aliases(&["longitude"]),
            Column::number("lat", "纬度", false).with_aliases(&["latitude"]),
            Column::number("opened", "开业年份", false),
            Column::number("closed", "撤销年份", false),
        ],
    }
}

fn resources_schema() -> TableSchema {
    let mut columns = vec![
        Column::text("facility_id", "机构代码", true).with_aliases(&["机构编号", "id"]),
        Column::number("year", "年份", true),
    ];
    for &q in Quantity::all() {
        columns.push(Column::number(q.code(), q.zh(), false));
    }
    columns.push(Column::text("capabilities", "科室与能力", false).with_aliases(&["科室"]));
    TableSchema {
        name: "resources",
        columns,
    }
}

fn origin(mapped: &Mapped, row: &RawRow) -> Origin {
    Origin {
        file: mapped.file().to_string(),
        row: row.row,
    }
}

/// Runs `convert` on every row, collecting per-row errors and rejecting duplicate keys.
fn convert_rows<T, K: Ord + std::fmt::Display>(
    table: &RawTable,
    kind: TableKind,
    what: &'static str,
    key: impl Fn(&T) -> K,
    convert: impl Fn(&RowReader) -> Result<T, IoError>,
) -> Result<Vec<Sourced<T>>, ImportErrors> {
    let schema = kind.schema();
    let mapped = Mapped::new(table, &schema)?;
    let mut out = Vec::with_capacity(mapped.rows().len());
    let mut errors = ImportErrors::none();
    let mut seen: BTreeMap<K, usize> = BTreeMap::new();
    for row in mapped.rows() {
        let reader = mapped.row(row);
        match convert(&reader) {
            Ok(value) => {
                let k = key(&value);
                if let Some(&first_row) = seen.get(&k) {
                    errors.push(IoError::DuplicateKey {
                        file: mapped.file().to_string(),
                        row: row.row,
                        what,
                        key: k.to_string(),
                        first_row,
                    });
                    continue;
                }
                seen.insert(k, row.row);
                out.push(Sourced {
                    origin: origin(&mapped, row),
                    value,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

fn parse_labelled<T: Labelled>(text: &str) -> Result<T, hsplan_model::UnknownLabel> {
    T::parse_label(text)
}

fn parse_year(text: &str) -> Result<Year, String> {
    let n = parse_count(text).map_err(|_| "a year such as 2020".to_string())?;
    Year::new(n as i64).map_err(|e| e.to_string())
}

fn parse_persons(text: &str) -> Result<Persons, String> {
    parse_count(text).map(Persons)
}

fn read_point(r: &RowReader) -> Result<Option<LonLat>, IoError> {
    let lon = r.optional("lon", parse_float)?;
    let lat = r.optional("lat", parse_float)?;
    match (lon, lat) {
        (None, None) => Ok(None),
        (Some(lon), Some(lat)) => LonLat::new(lon, lat)
            .map(Some)
            .map_err(|e| r.error("lon", &format!("{lon}, {lat}"), e.to_string())),
        (Some(_), None) => Err(r.error("lat", "", "a latitude, since a longitude is given")),
        (None, Some(_)) => Err(r.error("lon", "", "a longitude, since a latitude is given")),
    }
}

/// Parses a units table.
pub fn units_from_table(table: &RawTable) -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
    convert_rows(
        table,
        TableKind::Units,
        "unit code",
        |u: &AdminUnit| u.code,
        |r| {
            let code: AdminCode = r.required("code", AdminCode::parse)?;
            let name: String = r.required("name", |t| Ok::<_, String>(t.to_string()))?;
            if let Some(level) = r.optional("level", parse_labelled::<AdminLevelLabel>)? {
                let derived = code.level();
                if AdminLevel::from_label(level) != derived {
                    return Err(r.error(
                        "level",
                        r.text("level").unwrap_or(""),
                        format!("`{}`, the level of code {code}", derived.label().code()),
                    ));
                }
            }
            if let Some(parent) = r.optional("parent_code", AdminCode::parse)? {
                let expected = code.parent();
                if Some(parent) != expected {
                    let want = expected
                        .map(|p| {
                            format!(
                                "{p} (the code's own parent: a unit's code extends its parent's)"
                            )
                        })
                        .unwrap_or_else(|| "no parent for a province".into());
                    return Err(r.error("parent_code", r.text("parent_code").unwrap_or(""), want));
                }
            }
            let mut unit = AdminUnit::new(code, name);
            if let Some(kind) = r.optional("kind", parse_labelled::<UnitKind>)? {
                if kind.level() != code.level() {
                    return Err(r.error(
                        "kind",
                        r.text("kind").unwrap_or(""),
                        format!("a kind of the {} level", code.level().label().code()),
                    ));
                }
                unit.kind = Some(kind);
            }
            unit.urban_rural = r.optional("urban_rural", parse_labelled::<UrbanRuralClass>)?;
            unit.point = read_point(r)?;
            Ok(unit)
        },
    )
}

/// Writes units to a table (canonical English headers).
pub fn units_to_table<'a>(units: impl IntoIterator<Item = &'a AdminUnit>) -> RawTable {
    let schema = units_schema();
    let rows = units
        .into_iter()
        .enumerate()
        .map(|(i, u)| RawRow {
            row: i + 2,
            cells: vec![
                u.code.to_string(),
                u.name.clone(),
                u.level().label().code().to_string(),
                u.parent().map(|p| p.to_string()).unwrap_or_default(),
                u.kind.map(|k| k.code().to_string()).unwrap_or_default(),
                u.urban_rural
                    .map(|k| k.code().to_string())
                    .unwrap_or_default(),
                u.point.map(|p| p.lon().to_string()).unwrap_or_default(),
                u.point.map(|p| p.lat().to_string()).unwrap_or_default(),
            ],
        })
        .collect();
    RawTable {
        file: String::new(),
        headers: schema.columns.iter().map(|c| c.key.to_string()).collect(),
        rows,
    }
}

const AGE_KEYS: [&str; 6] = [
    "age_0_2",
    "age_0_4",
    "age_0_14",
    "age_15_64",
    "age_60_plus",
    "age_65_plus",
];

/// Parses a population table.
pub fn population_from_table(
    table: &RawTable,
) -> Result<Vec<Sourced<PopulationRecord>>, ImportErrors> {
    convert_rows(
        table,
        TableKind::Population,
        "unit and year",
        |p: &PopulationRecord| format!("{} {}", p.unit, p.year),
        |r| {
            let ages: Vec<Option<Persons>> = AGE_KEYS
                .iter()
                .map(|k| r.optional(k, parse_persons))
                .collect::<Result<_, _>>()?;
            let rec = PopulationRecord {
                unit: r.required("unit_code", AdminCode::parse)?,
                year: r.required("year", parse_year)?,
                source: r
                    .optional("source", parse_labelled::<PopulationSource>)?
                    .unwrap_or(PopulationSource::Estimate),
                resident: r.required("resident", parse_persons)?,
                male: r.optional("male", parse_persons)?,
                female: r.optional("female", parse_persons)?,
                ages: AgeBands {
                    age_0_2: ages[0],
                    age_0_4: ages[1],
                    age_0_14: ages[2],
                    age_15_64: ages[3],
                    age_60_plus: ages[4],
                    age_65_plus: ages[5],
                },
                live_births: r.optional("live_births", parse_persons)?,
                deaths: r.optional("deaths", parse_persons)?,
            };
            if let Some(problem) = rec.check().into_iter().next() {
                let column = problem.field.split(' ').next().unwrap_or(problem.field);
                return Err(r.error(
                    column,
                    &problem.value.to_string(),
                    format!("a value consistent with the row: {problem}"),
                ));
            }
            Ok(rec)
        },
    )
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Writes population records to a table.
pub fn population_to_table<'a>(
    records: impl IntoIterator<Item = &'a PopulationRecord>,
) -> RawTable {
    let schema = population_schema();
    let rows = records
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let a = &p.ages;
            RawRow {
                row: i + 2,
                cells: vec![
                    p.unit.to_string(),
                    p.year.to_string(),
                    p.source.code().to_string(),
                    p.resident.to_string(),
                    opt(p.male),
                    opt(p.female),
                    opt(a.age_0_2),
                    opt(a.age_0_4),
                    opt(a.age_0_14),
                    opt(a.age_15_64),
                    opt(a.age_60_plus),
                    opt(a.age_65_plus),
                    opt(p.live_births),
                    opt(p.deaths),
                ],
            }
        })
        .collect();
    RawTable {
        file: String::new(),
        headers: schema.columns.iter().map(|c| c.key.to_string()).collect(),
        rows,
    }
}

/// Parses a facilities table.
pub fn facilities_from_table(table: &RawTable) -> Result<Vec<Sourced<Facility>>, ImportErrors> {
    convert_rows(
        table,
        TableKind::Facilities,
        "facility id",
        |f: &Facility| f.id.clone(),
        |r| {
            let f = Facility {
                id: r.required("id", FacilityId::new)?,
                name: r.required("name", |t| Ok::<_, String>(t.to_string()))?,
                kind: r.required("type", parse_labelled::<InstitutionType>)?,
                specialty: r.optional("specialty", parse_labelled::<Specialty>)?,
                grade: r.optional("grade", Grade::parse)?.unwrap_or_default(),
                ownership: r.required("ownership", parse_labelled::<Ownership>)?,
                for_profit: r.optional("for_profit", parse_bool)?,
                unit: r.required("unit_code", AdminCode::parse)?,
                location: read_point(r)?,
                opened: r.optional("opened", parse_year)?,
                closed: r.optional("closed", parse_year)?,
            };
            if let (Some(o), Some(c)) = (f.opened, f.closed)
                && c < o
            {
                return Err(r.error(
                    "closed",
                    &c.to_string(),
                    format!("a year not before the opening year {o}"),
                ));
            }
            Ok(f)
        },
    )
}

/// Writes facilities to a table.
pub fn facilities_to_table<'a>(facilities: impl IntoIterator<Item = &'a Facility>) -> RawTable {
    let schema = facilities_schema();
    let rows = facilities
        .into_iter()
        .enumerate()
        .map(|(i, f)| RawRow {
            row: i + 2,
            cells: vec![
                f.id.to_string(),
                f.name.clone(),
                f.kind.code().to_string(),
                f.specialty
                    .map(|s| s.code().to_string())
                    .unwrap_or_default(),
                f.grade.code(),
                f.ownership.code().to_string(),
                opt(f.for_profit),
                f.unit.to_string(),
                f.location.map(|p| p.lon().to_string()).unwrap_or_default(),
                f.location.map(|p| p.lat().to_string()).unwrap_or_default(),
                opt(f.opened),
                opt(f.closed),
            ],
        })
        .collect();
    RawTable {
        file: String::new(),
        headers: schema.columns.iter().map(|c| c.key.to_string()).collect(),
        rows,
    }
}

/// Parses a resources table (one row per facility and year, one column per quantity).
pub fn resources_from_table(table: &RawTable) -> Result<Vec<Sourced<FacilityYear>>, ImportErrors> {
    convert_rows(
        table,
        TableKind::Resources,
        "facility and year",
        |f: &FacilityYear| format!("{} {}", f.facility, f.year),
        |r| {
            let mut fy = FacilityYear::new(
                r.required("facility_id", FacilityId::new)?,
                r.required("year", parse_year)?,
            );
            for &q in Quantity::all() {
                if let Some(v) = r.optional(q.code(), parse_count)? {
                    fy.quantities.insert(q, Count(v));
                }
            }
            if let Some(list) = r.text("capabilities") {
                for item in list
                    .split([';', '；', '、', ',', '，'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    let cap = Capability::parse_label(item)
                        .map_err(|e| r.error("capabilities", item, e.to_string()))?;
                    fy.capabilities.insert(cap);
                }
            }
            if let Some(p) = fy.check().into_iter().next() {
                return Err(r.error(
                    p.part.code(),
                    &p.part_value.to_string(),
                    format!(
                        "at most {} ({} is part of {})",
                        p.whole_value,
                        p.part.code(),
                        p.whole.code()
                    ),
                ));
            }
            Ok(fy)
        },
    )
}

/// Writes resources to a table.
pub fn resources_to_table<'a>(records: impl IntoIterator<Item = &'a FacilityYear>) -> RawTable {
    let schema = resources_schema();
    let rows = records
        .into_iter()
        .enumerate()
        .map(|(i, fy)| {
            let mut cells = vec![fy.facility.to_string(), fy.year.to_string()];
            cells.extend(Quantity::all().iter().map(|q| opt(fy.get(*q))));
            cells.push(
                fy.capabilities
                    .iter()
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join(";"),
            );
            RawRow { row: i + 2, cells }
        })
        .collect();
    RawTable {
        file: String::new(),
        headers: schema.columns.iter().map(|c| c.key.to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv_bytes;

    fn units(csv: &str) -> Result<Vec<Sourced<AdminUnit>>, ImportErrors> {
        units_from_table(&read_csv_bytes("u.csv", csv.as_bytes()).unwrap())
    }

    #[test]
    fn a_file_of_bad_rows_keeps_fifty_messages_and_counts_the_rest() {
        let mut csv = String::from("code,name\n");
        for i in 0..10_000 {
            csv.push_str(&format!("bad{i},x\n"));
        }
        let e = units(&csv).unwrap_err();
        assert_eq!(e.errors.len(), ImportErrors::LIMIT);
        assert_eq!(e.more, 10_000 - ImportErrors::LIMIT);
        assert!(e.to_string().ends_with("… and 9950 more problems"));
    }

    #[test]
    fn units_with_chinese_headers() {
        let u = units("区划代码,名称,级别\n500109,北碚区,区县\n500109001,天生街道,乡镇\n").unwrap();
        assert_eq!(u.len(), 2);
        assert_eq!(u[1].value.kind, Some(UnitKind::Street));
        assert_eq!(u[1].origin.row, 3);
    }

    #[test]
    fn level_must_match_code() {
        let e = units("code,name,level\n500109,北碚区,town\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "u.csv, row 2, column `level`: value `town`: expected `county`, the level of code 500109000000"
        );
    }

    #[test]
    fn all_row_errors_are_reported() {
        let e = units("code,name\nabc,x\n500109,北碚区\n500109,again\n").unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e}");
        assert!(
            e.to_string()
                .contains("duplicate unit code `500109000000` (first at row 3)")
        );
    }
}
