//! A national-scale synthetic service system for benchmarks (**synthetic**, seeded).
//!
//! 31 provinces × 11 prefectures × 9 counties × 14 towns, the requested number of
//! villages spread over the towns, and the requested number of facilities: per county two
//! general hospitals (one public), a public TCM hospital and a CDC; per town a township
//! health centre; the rest village clinics, clinics and community health stations in the
//! villages. Population and resources for every year; codes are shaped like real NBS codes
//! but name no real place.

use crate::{Rng, allocate};
use hsplan_model::{
    AdminCode, Capability, Count, Facility, FacilityId, FacilityYear, Grade, InstitutionType as T,
    Ownership, Quantity as Q, Year,
};

/// How big.
#[derive(Debug, Clone)]
pub struct NationalSpec {
    /// Villages in all.
    pub villages: usize,
    /// Facilities in all (at least the hospitals, CDCs and township centres).
    pub facilities: usize,
    /// Years, ascending.
    pub years: Vec<Year>,
    /// Seed.
    pub seed: u64,
}

/// One facility-year's numbers, flat (what the benchmark writes and aggregates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceRow {
    /// Index into [`National::facilities`].
    pub facility: u32,
    /// Index into [`NationalSpec::years`].
    pub year: u16,
    /// Beds.
    pub beds: u32,
    /// Licensed doctors.
    pub licensed_doctors: u32,
    /// Assistant doctors.
    pub assistant_doctors: u32,
    /// Registered nurses.
    pub nurses: u32,
    /// General practitioners.
    pub gps: u32,
    /// Paediatricians.
    pub paediatricians: u32,
    /// Ambulances.
    pub ambulances: u32,
    /// Has a fever clinic.
    pub fever_clinic: bool,
}

impl ResourceRow {
    /// As a model facility-year.
    pub fn to_facility_year(&self, id: FacilityId, year: Year) -> FacilityYear {
        let mut fy = FacilityYear::new(id, year);
        for (q, v) in [
            (Q::Beds, self.beds),
            (Q::LicensedDoctors, self.licensed_doctors),
            (Q::AssistantDoctors, self.assistant_doctors),
            (Q::RegisteredNurses, self.nurses),
            (Q::GeneralPractitioners, self.gps),
            (Q::Paediatricians, self.paediatricians),
            (Q::Ambulances, self.ambulances),
        ] {
            fy.quantities.insert(q, Count(v as u64));
        }
        if self.fever_clinic {
            fy.capabilities.insert(Capability::FeverClinic);
        }
        fy
    }
}

/// A unit's population in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationRow {
    /// Index into [`National::units`].
    pub unit: u32,
    /// Index into the years.
    pub year: u16,
    /// Residents.
    pub resident: u64,
    /// Children 0–14.
    pub age_0_14: u64,
}

/// The generated system.
#[derive(Debug, Clone)]
pub struct National {
    /// Every unit, ascending code (provinces, prefectures, counties, towns, villages).
    pub units: Vec<AdminCode>,
    /// Facilities.
    pub facilities: Vec<Facility>,
    /// Resources, by facility then year.
    pub resources: Vec<ResourceRow>,
    /// Village populations.
    pub population: Vec<PopulationRow>,
    /// The years.
    pub years: Vec<Year>,
}

fn code(s: String) -> AdminCode {
    AdminCode::parse(&s).expect("generated codes are valid")
}

/// Generates the national system.
pub fn national(spec: &NationalSpec) -> National {
    let mut rng = Rng(spec.seed);
    let mut units = Vec::new();
    let mut towns = Vec::new();
    let mut counties = Vec::new();
    for p in 0..31u32 {
        let prov = format!("{:02}", 11 + p);
        units.push(code(prov.clone()));
        for c in 1..=11u32 {
            let pref = format!("{prov}{c:02}");
            units.push(code(pref.clone()));
            for k in 1..=9u32 {
                let county = format!("{pref}{k:02}");
                units.push(code(county.clone()));
                counties.push(county.clone());
                for t in 1..=14u32 {
                    towns.push(format!("{county}{t:03}"));
                }
            }
        }
    }
    let weights: Vec<f64> = towns.iter().map(|_| rng.range(0.5, 1.5)).collect();
    let per_town = allocate(spec.villages as u64, &weights);
    let mut villages = Vec::with_capacity(spec.villages);
    for (t, n) in towns.iter().zip(&per_town) {
        units.push(code(t.clone()));
        for v in 1..=*n {
            let c = code(format!("{t}{v:03}"));
            units.push(c);
            villages.push(c);
        }
    }
    units.sort();
    let mut facilities = Vec::with_capacity(spec.facilities);
    let mut add = |kind: T, grade: &str, ownership: Ownership, unit: AdminCode| {
        let n = facilities.len();
        facilities.push(Facility {
            id: FacilityId::new(&format!("N{n:07}")).expect("valid id"),
            name: format!("合成机构 {n}"),
            kind,
            specialty: None,
            grade: Grade::parse(grade).expect("valid grade"),
            ownership,
            for_profit: None,
            unit,
            location: None,
            opened: None,
            closed: None,
        });
    };
    for c in &counties {
        let unit = code(c.clone());
        add(T::GeneralHospital, "3a", Ownership::Government, unit);
        add(T::GeneralHospital, "2", Ownership::Private, unit);
        add(T::TcmHospital, "2a", Ownership::Government, unit);
        add(T::Cdc, "ungraded", Ownership::Government, unit);
    }
    for t in &towns {
        add(
            T::TownshipHealthCentre,
            "1",
            Ownership::Government,
            code(t.clone()),
        );
    }
    let rest = spec
        .facilities
        .saturating_sub(counties.len() * 4 + towns.len());
    for i in 0..rest {
        let unit = if villages.is_empty() {
            code(towns[i % towns.len()].clone())
        } else {
            villages[(rng.next_u64() % villages.len() as u64) as usize]
        };
        let r = rng.range(0.0, 1.0);
        let (kind, ownership) = if r < 0.7 {
            (T::VillageClinic, Ownership::OtherPublic)
        } else if r < 0.9 {
            (T::Clinic, Ownership::Private)
        } else {
            (T::CommunityHealthStation, Ownership::Government)
        };
        add(kind, "ungraded", ownership, unit);
    }
    let mut resources = Vec::with_capacity(facilities.len() * spec.years.len());
    for (i, f) in facilities.iter().enumerate() {
        let (beds, doctors, ambulances) = match f.kind {
            T::GeneralHospital => (rng.range(150.0, 1500.0), rng.range(60.0, 500.0), 4.0),
            T::TcmHospital => (rng.range(100.0, 600.0), rng.range(40.0, 200.0), 2.0),
            T::TownshipHealthCentre => (rng.range(10.0, 80.0), rng.range(5.0, 30.0), 1.0),
            T::Cdc => (0.0, rng.range(10.0, 40.0), 0.0),
            _ => (0.0, rng.range(1.0, 3.0), 0.0),
        };
        for (y, _) in spec.years.iter().enumerate() {
            let g = 1.0 + 0.03 * y as f64;
            let d = (doctors * g).round() as u32;
            let assistant = if f.kind == T::VillageClinic {
                d / 2
            } else {
                d / 8
            };
            resources.push(ResourceRow {
                facility: i as u32,
                year: y as u16,
                beds: (beds * g).round() as u32,
                licensed_doctors: d - assistant,
                assistant_doctors: assistant,
                nurses: (d as f64 * rng.range(0.6, 1.6)).round() as u32,
                gps: if f.kind.is_primary_care_centre() || f.kind == T::CommunityHealthStation {
                    (d / 3).max(1)
                } else {
                    0
                },
                paediatricians: if f.kind.family() == hsplan_model::InstitutionFamily::Hospital {
                    d / 12
                } else {
                    0
                },
                ambulances: ambulances as u32,
                fever_clinic: f.kind.is_primary_care_centre()
                    && rng.range(0.0, 1.0) < 0.6 + 0.05 * y as f64,
            });
        }
    }
    let index = |c: AdminCode| units.binary_search(&c).expect("village in units") as u32;
    let mut population = Vec::with_capacity(villages.len() * spec.years.len());
    for v in &villages {
        let base = rng.range(300.0, 3000.0);
        let u = index(*v);
        for (y, _) in spec.years.iter().enumerate() {
            let resident = (base * (1.0 + 0.004 * y as f64)).round() as u64;
            population.push(PopulationRow {
                unit: u,
                year: y as u16,
                resident,
                age_0_14: resident * 14 / 100,
            });
        }
    }
    National {
        units,
        facilities,
        resources,
        population,
        years: spec.years.clone(),
    }
}

impl National {
    /// Writes the system as the four CSV files `hsplan_io::columns::read_dir` reads
    /// (`units.csv`, `facilities.csv`, `resources.csv`, `population.csv`; facility ids are
    /// their indices). DuckDB loads the same files in `benches/national_vs_duckdb.py`.
    pub fn write_csv(&self, dir: &std::path::Path) -> std::io::Result<()> {
        use hsplan_model::Labelled;
        use std::io::Write;
        let file = |name: &str| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
            Ok(std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(dir.join(name))?,
            ))
        };
        let mut w = file("units.csv")?;
        writeln!(w, "code")?;
        for u in &self.units {
            writeln!(w, "{}", u.get())?;
        }
        w.flush()?;
        let mut w = file("facilities.csv")?;
        writeln!(w, "fid,unit,kind,grade,ownership")?;
        for (i, f) in self.facilities.iter().enumerate() {
            writeln!(
                w,
                "{i},{},{},{},{}",
                f.unit.get(),
                f.kind.code(),
                f.grade.code(),
                f.ownership.code()
            )?;
        }
        w.flush()?;
        let mut w = file("resources.csv")?;
        writeln!(
            w,
            "fid,year,beds,licensed_doctors,assistant_doctors,registered_nurses,general_practitioners,paediatricians,ambulances,fever_clinic"
        )?;
        for r in &self.resources {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                r.facility,
                self.years[r.year as usize].get(),
                r.beds,
                r.licensed_doctors,
                r.assistant_doctors,
                r.nurses,
                r.gps,
                r.paediatricians,
                r.ambulances,
                r.fever_clinic
            )?;
        }
        w.flush()?;
        let mut w = file("population.csv")?;
        writeln!(w, "unit,year,resident,age_0_14")?;
        for p in &self.population {
            writeln!(
                w,
                "{},{},{},{}",
                self.units[p.unit as usize].get(),
                self.years[p.year as usize].get(),
                p.resident,
                p.age_0_14
            )?;
        }
        w.flush()
    }

    /// Lays the system out for the columnar evaluation.
    pub fn to_columns(
        &self,
    ) -> Result<hsplan_eval::columnar::Columns, hsplan_eval::columnar::ColumnsError> {
        let mut c = hsplan_eval::columnar::Columns::new(self.years.clone());
        for u in &self.units {
            c.add_unit(*u)?;
        }
        let ix: Vec<_> = self
            .facilities
            .iter()
            .map(|f| c.add_facility(f))
            .collect::<Result<_, _>>()?;
        for r in &self.resources {
            let f = &self.facilities[r.facility as usize];
            let fy = r.to_facility_year(f.id.clone(), self.years[r.year as usize]);
            c.set_facility_year(ix[r.facility as usize], &fy)?;
        }
        for p in &self.population {
            c.set_population(
                self.units[p.unit as usize],
                self.years[p.year as usize],
                [Some(p.resident), Some(p.age_0_14), None],
            )?;
        }
        Ok(c)
    }
}

/// The indicators the national benchmark evaluates (numerators over several facility sets,
/// two population bases, a ratio of two facility measures, a capability share).
pub const BENCH_INDICATORS: [&str; 10] = [
    "beds_per_1000",
    "public_hospital_beds_per_1000",
    "licensed_doctors_per_1000",
    "registered_nurses_per_1000",
    "gps_per_10k",
    "ambulances_per_10k",
    "paediatricians_per_1000_children",
    "doctor_nurse_ratio",
    "bed_doctor_ratio",
    "share_primary_centres_with_fever_clinic",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_determinism() {
        let spec = NationalSpec {
            villages: 50_000,
            facilities: 70_000,
            years: (2019..=2020).map(|y| Year::new(y).unwrap()).collect(),
            seed: 7,
        };
        let a = national(&spec);
        assert_eq!(
            a.units
                .iter()
                .filter(|u| u.level() == hsplan_model::AdminLevel::Village)
                .count(),
            50_000
        );
        assert_eq!(a.facilities.len(), 70_000);
        assert_eq!(a.resources.len(), 140_000);
        assert_eq!(a.population.len(), 100_000);
        let b = national(&spec);
        assert_eq!(a.resources, b.resources);
        assert!(a.units.windows(2).all(|w| w[0] < w[1]));
    }
}
