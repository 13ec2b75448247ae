//! Resident population (常住人口) by unit and year.

use crate::admin::AdminCode;
use crate::labelled_enum;
use crate::units::{Persons, Year};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where a population figure comes from.
    pub enum PopulationSource: "population source" {
        Census => ("census", "普查", "Census"),
        Estimate => ("estimate", "年度统计", "Estimate", "统计", "估计"),
        Projection => ("projection", "预测", "Projection"),
    }
}

/// Age bands the plans' indicators need. Bands overlap (0–2 ⊂ 0–4 ⊂ 0–14; 65+ ⊂ 60+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgeBands {
    /// Aged 0–2 (托育 childcare population).
    pub age_0_2: Option<Persons>,
    /// Aged 0–4.
    pub age_0_4: Option<Persons>,
    /// Aged 0–14 (children; paediatrician density).
    pub age_0_14: Option<Persons>,
    /// Aged 15–64.
    pub age_15_64: Option<Persons>,
    /// Aged 60 and over.
    pub age_60_plus: Option<Persons>,
    /// Aged 65 and over.
    pub age_65_plus: Option<Persons>,
}

/// Population of one unit in one year (year end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationRecord {
    /// The unit.
    pub unit: AdminCode,
    /// The year.
    pub year: Year,
    /// Census, estimate or projection.
    pub source: PopulationSource,
    /// Resident population (常住人口).
    pub resident: Persons,
    /// Male residents.
    pub male: Option<Persons>,
    /// Female residents.
    pub female: Option<Persons>,
    /// Age bands.
    pub ages: AgeBands,
    /// Live births in the year.
    pub live_births: Option<Persons>,
    /// Deaths in the year.
    pub deaths: Option<Persons>,
}

/// A population record that contradicts itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} ({value}) {problem}")]
pub struct PopulationInconsistency {
    /// Field at fault.
    pub field: &'static str,
    /// Its value.
    pub value: u64,
    /// What is wrong.
    pub problem: String,
}

impl PopulationRecord {
    /// Checks that the parts fit inside the whole. Returns every problem found.
    pub fn check(&self) -> Vec<PopulationInconsistency> {
        let mut out = Vec::new();
        let total = self.resident.0;
        let a = &self.ages;
        let nested: [(&'static str, Option<Persons>, &'static str, Option<Persons>); 6] = [
            ("age_0_2", a.age_0_2, "age_0_4", a.age_0_4),
            ("age_0_4", a.age_0_4, "age_0_14", a.age_0_14),
            ("age_0_14", a.age_0_14, "resident", Some(self.resident)),
            ("age_15_64", a.age_15_64, "resident", Some(self.resident)),
            ("age_65_plus", a.age_65_plus, "age_60_plus", a.age_60_plus),
            (
                "age_60_plus",
                a.age_60_plus,
                "resident",
                Some(self.resident),
            ),
        ];
        for (part, pv, whole, wv) in nested {
            if let (Some(p), Some(w)) = (pv, wv)
                && p > w
            {
                out.push(PopulationInconsistency {
                    field: part,
                    value: p.0,
                    problem: format!("exceeds {whole} ({})", w.0),
                });
            }
        }
        if let (Some(c), Some(w), Some(o)) = (a.age_0_14, a.age_15_64, a.age_65_plus)
            && c.0 + w.0 + o.0 > total
        {
            out.push(PopulationInconsistency {
                field: "age_0_14 + age_15_64 + age_65_plus",
                value: c.0 + w.0 + o.0,
                problem: format!("exceeds resident ({total})"),
            });
        }
        if let (Some(m), Some(f)) = (self.male, self.female)
            && m.0 + f.0 != total
        {
            out.push(PopulationInconsistency {
                field: "male + female",
                value: m.0 + f.0,
                problem: format!("differs from resident ({total})"),
            });
        }
        for (name, v) in [
            ("male", self.male),
            ("female", self.female),
            ("live_births", self.live_births),
            ("deaths", self.deaths),
        ] {
            if let Some(v) = v
                && v.0 > total
            {
                out.push(PopulationInconsistency {
                    field: name,
                    value: v.0,
                    problem: format!("exceeds resident ({total})"),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> PopulationRecord {
        PopulationRecord {
            unit: AdminCode::parse("500109").unwrap(),
            year: Year::new(2020).unwrap(),
            source: PopulationSource::Census,
            resident: Persons(1000),
            male: Some(Persons(510)),
            female: Some(Persons(490)),
            ages: AgeBands {
                age_0_2: Some(Persons(30)),
                age_0_4: Some(Persons(50)),
                age_0_14: Some(Persons(150)),
                age_15_64: Some(Persons(700)),
                age_60_plus: Some(Persons(200)),
                age_65_plus: Some(Persons(150)),
            },
            live_births: Some(Persons(8)),
            deaths: Some(Persons(7)),
        }
    }

    #[test]
    fn consistent_record_passes() {
        assert!(record().check().is_empty());
    }

    #[test]
    fn parts_larger_than_whole_fail() {
        let mut r = record();
        r.ages.age_0_2 = Some(Persons(60));
        r.male = Some(Persons(600));
        let problems = r.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].field, "age_0_2");
        assert_eq!(problems[1].field, "male + female");
    }
}
