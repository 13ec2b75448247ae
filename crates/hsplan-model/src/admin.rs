//! The administrative hierarchy: NBS statistical division codes and units.

use crate::labelled_enum;
use crate::units::{LonLat, MultiPolygon};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A unit's code: either a 12-digit NBS statistical division code (统计用区划代码), or a
/// code hsplan assigned to a unit of another hierarchy (DHIS2 org units, FHIR jurisdictions).
///
/// NBS digits: 2 province, 2 prefecture, 2 county, 3 town, 3 village; the first six digits
/// are the GB/T 2260 administrative code of the county-level unit. An assigned code has the
/// same shape in another number space: five positions of 12 bits each (a unit's place among
/// its parent's children, one position per level), written `X` and 15 hexadecimal digits
/// (`X001002000000000`: the second child of the first top unit). Either way level, parent
/// and subtree are derived from the code, never stored; the source's own id (a DHIS2 uid)
/// is kept on the unit ([`AdminUnit::source_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdminCode(u64);

/// Why a text is not an admin code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminCodeError {
    /// Not 2, 4, 6, 9 or 12 ASCII digits (nor `X` and 15 hexadecimal digits).
    #[error(
        "`{0}` is not a statistical division code: expected 12 digits (or a 2/4/6/9-digit prefix), or an assigned code (X and 15 hexadecimal digits)"
    )]
    Malformed(String),
    /// The province part is zero.
    #[error("`{0}` has no province part (first two digits are 00)")]
    NoProvince(String),
    /// A lower part is non-zero while a higher one is zero (e.g. a town under county 00).
    #[error("`{0}` skips a level: a lower part is set while a higher part is zero")]
    SkipsLevel(String),
}

/// The five levels of the hierarchy, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminLevel {
    /// 省级 (province, municipality directly under the central government).
    Province = 1,
    /// 地级 (prefecture; for municipalities 市辖区 / 县 groupings).
    Prefecture = 2,
    /// 县级 (county, district, county-level city).
    County = 3,
    /// 乡级 (town 镇, township 乡, street 街道).
    Town = 4,
    /// 村级 (village committee 村委会, residents' committee 居委会).
    Village = 5,
}

labelled_enum! {
    /// The level as written in files.
    pub enum AdminLevelLabel: "admin level" {
        Province => ("province", "省级", "Province", "省"),
        Prefecture => ("prefecture", "地级", "Prefecture", "市"),
        County => ("county", "县级", "County/district", "区县", "县"),
        Town => ("town", "乡级", "Town/street", "乡镇街道", "乡镇"),
        Village => ("village", "村级", "Village/community", "村社区", "村"),
    }
}

impl AdminLevel {
    /// All levels, top to bottom.
    pub const ALL: [AdminLevel; 5] = [
        AdminLevel::Province,
        AdminLevel::Prefecture,
        AdminLevel::County,
        AdminLevel::Town,
        AdminLevel::Village,
    ];

    /// The file label of this level.
    pub fn label(self) -> AdminLevelLabel {
        match self {
            AdminLevel::Province => AdminLevelLabel::Province,
            AdminLevel::Prefecture => AdminLevelLabel::Prefecture,
            AdminLevel::County => AdminLevelLabel::County,
            AdminLevel::Town => AdminLevelLabel::Town,
            AdminLevel::Village => AdminLevelLabel::Village,
        }
    }

    /// The level a file label names.
    pub fn from_label(label: AdminLevelLabel) -> Self {
        AdminLevel::ALL[label as usize]
    }

    /// Number of significant leading digits of a code at this level.
    pub fn significant_digits(self) -> u32 {
        match self {
            AdminLevel::Province => 2,
            AdminLevel::Prefecture => 4,
            AdminLevel::County => 6,
            AdminLevel::Town => 9,
            AdminLevel::Village => 12,
        }
    }
}

/// Marks an assigned (non-NBS) code; NBS codes are below 10^12 < 2^40.
const ASSIGNED: u64 = 1 << 62;
/// Bits per level of an assigned code.
const ASSIGNED_BITS: u32 = 12;
/// Children one parent may have in an assigned hierarchy (positions 1–4095).
pub const MAX_ASSIGNED_CHILDREN: u16 = (1 << ASSIGNED_BITS) - 1;

impl AdminCode {
    /// Parses 12 digits, or a 2/4/6/9-digit prefix padded with zeros; or an assigned code
    /// (`X` and 15 hexadecimal digits).
    pub fn parse(text: &str) -> Result<Self, AdminCodeError> {
        let t = text.trim();
        let malformed = || AdminCodeError::Malformed(t.to_string());
        if let Some(hex) = t.strip_prefix(['X', 'x']) {
            if hex.len() != 15 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(malformed());
            }
            let v = u64::from_str_radix(hex, 16).map_err(|_| malformed())?;
            return Self::from_u64(ASSIGNED | v).map_err(|e| match e {
                AdminCodeError::Malformed(_) => malformed(),
                AdminCodeError::NoProvince(_) => AdminCodeError::NoProvince(t.to_string()),
                AdminCodeError::SkipsLevel(_) => AdminCodeError::SkipsLevel(t.to_string()),
            });
        }
        if !matches!(t.len(), 2 | 4 | 6 | 9 | 12) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let digits: u64 = t.parse().map_err(|_| malformed())?;
        let value = digits * 10u64.pow(12 - t.len() as u32);
        Self::from_u64(value).map_err(|e| match e {
            AdminCodeError::Malformed(_) => malformed(),
            AdminCodeError::NoProvince(_) => AdminCodeError::NoProvince(t.to_string()),
            AdminCodeError::SkipsLevel(_) => AdminCodeError::SkipsLevel(t.to_string()),
        })
    }

    /// An assigned code from the positions of a unit and its ancestors, top first (each
    /// 1–4095; at most five).
    pub fn assigned(positions: &[u16]) -> Result<Self, AdminCodeError> {
        let text = || format!("{positions:?}");
        if positions.is_empty() || positions.len() > 5 {
            return Err(AdminCodeError::Malformed(text()));
        }
        let mut v = ASSIGNED;
        for (i, &p) in positions.iter().enumerate() {
            if p == 0 || p > MAX_ASSIGNED_CHILDREN {
                return Err(AdminCodeError::Malformed(text()));
            }
            v |= u64::from(p) << (ASSIGNED_BITS * (4 - i as u32));
        }
        Ok(AdminCode(v))
    }

    /// A code from its numeric value (the 12-digit value of an NBS code; an assigned code's
    /// value as [`AdminCode::get`] gives it).
    pub fn from_u64(value: u64) -> Result<Self, AdminCodeError> {
        let assigned = value & ASSIGNED != 0;
        if assigned {
            if value & !(ASSIGNED | ((1 << (5 * ASSIGNED_BITS)) - 1)) != 0 {
                return Err(AdminCodeError::Malformed(value.to_string()));
            }
        } else if value >= 1_000_000_000_000 {
            return Err(AdminCodeError::Malformed(value.to_string()));
        }
        let code = AdminCode(value);
        // The text only for a message: formatting it for every valid code cost more than
        // the rest of the check (millions of codes in a national file).
        let parts = code.parts();
        if parts[0] == 0 {
            return Err(AdminCodeError::NoProvince(code.to_string()));
        }
        let mut seen_zero = false;
        for p in parts {
            if p == 0 {
                seen_zero = true;
            } else if seen_zero {
                return Err(AdminCodeError::SkipsLevel(code.to_string()));
            }
        }
        Ok(code)
    }

    /// The numeric value (12 digits for an NBS code; below 2^63 either way).
    pub fn get(self) -> u64 {
        self.0
    }

    /// True for an NBS statistical division code, false for a code hsplan assigned to a
    /// unit of another hierarchy.
    pub fn is_nbs(self) -> bool {
        self.0 & ASSIGNED == 0
    }

    /// Province, prefecture, county, town and village parts (positions, for an assigned code).
    fn parts(self) -> [u64; 5] {
        let v = self.0;
        if !self.is_nbs() {
            let mask = (1 << ASSIGNED_BITS) - 1;
            return [4u32, 3, 2, 1, 0].map(|i| (v >> (ASSIGNED_BITS * i)) & mask);
        }
        [
            v / 10_000_000_000,
            (v / 100_000_000) % 100,
            (v / 1_000_000) % 100,
            (v / 1_000) % 1_000,
            v % 1_000,
        ]
    }

    /// The level this code designates (its lowest non-zero part).
    pub fn level(self) -> AdminLevel {
        let parts = self.parts();
        let last = parts.iter().rposition(|&p| p != 0).unwrap_or(0);
        AdminLevel::ALL[last]
    }

    /// The 6-digit GB/T 2260 code (the county-level prefix); 0 for an assigned code.
    pub fn gb2260(self) -> u32 {
        if self.is_nbs() {
            (self.0 / 1_000_000) as u32
        } else {
            0
        }
    }

    /// This unit's position among its parent's children in an assigned hierarchy (its last
    /// non-zero part); `None` for an NBS code.
    pub fn position(self) -> Option<u16> {
        if self.is_nbs() {
            return None;
        }
        Some(self.parts()[self.level() as usize - 1] as u16)
    }

    /// The code of the `position`-th child of this unit (`None` at the lowest level, or for
    /// a position out of range).
    pub fn child(self, position: u16) -> Option<AdminCode> {
        let level = self.level();
        if level == AdminLevel::Village || position == 0 {
            return None;
        }
        let below = AdminLevel::ALL[level as usize];
        if self.is_nbs() {
            let width = below.significant_digits() - level.significant_digits();
            if u64::from(position) >= 10u64.pow(width) {
                return None;
            }
            Some(AdminCode(
                self.0 + u64::from(position) * 10u64.pow(12 - below.significant_digits()),
            ))
        } else {
            if position > MAX_ASSIGNED_CHILDREN {
                return None;
            }
            Some(AdminCode(
                self.0 | u64::from(position) << (ASSIGNED_BITS * (5 - below as u32)),
            ))
        }
    }

    /// The lowest and highest numeric value of this unit's subtree (itself and every code
    /// below it): a contiguous range in code order.
    pub fn subtree_range(self) -> (u64, u64) {
        let span = if self.is_nbs() {
            10u64.pow(12 - self.level().significant_digits())
        } else {
            1u64 << (ASSIGNED_BITS * (5 - self.level() as u32))
        };
        (self.0, self.0 + span - 1)
    }

    /// The code of the unit one level up, or `None` for a province.
    pub fn parent(self) -> Option<AdminCode> {
        let level = self.level();
        if level == AdminLevel::Province {
            return None;
        }
        let up = AdminLevel::ALL[level as usize - 2];
        Some(self.truncated(up))
    }

    /// This code cut to the significant digits of `level` (the ancestor at that level).
    pub fn truncated(self, level: AdminLevel) -> AdminCode {
        if !self.is_nbs() {
            let keep = ASSIGNED_BITS * (5 - level as u32);
            return AdminCode(self.0 >> keep << keep);
        }
        let scale = 10u64.pow(12 - level.significant_digits());
        AdminCode(self.0 / scale * scale)
    }

    /// True for the prefecture-level codes of a municipality directly under the central
    /// government (北京 11, 天津 12, 上海 31, 重庆 50): statistical groupings such as 重庆's
    /// 市辖区 (5001) and 县 (5002), not tiers of administration — the municipality governs its
    /// districts directly.
    pub fn is_municipal_grouping(self) -> bool {
        self.is_nbs()
            && self.level() == AdminLevel::Prefecture
            && matches!(self.parts()[0], 11 | 12 | 31 | 50)
    }

    /// True when `self` lies strictly below `ancestor` in the hierarchy.
    pub fn is_descendant_of(self, ancestor: AdminCode) -> bool {
        // the subtree is one contiguous range of codes (of the ancestor's number space)
        self != ancestor && ancestor.covers(self)
    }

    /// A bound for searching codes in order (any value; not necessarily a valid code).
    pub(crate) fn bound(value: u64) -> AdminCode {
        AdminCode(value)
    }

    /// True when `other` is this unit or lies below it.
    pub fn covers(self, other: AdminCode) -> bool {
        let (lo, hi) = self.subtree_range();
        (lo..=hi).contains(&other.0)
    }
}

impl fmt::Display for AdminCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nbs() {
            write!(f, "{:012}", self.0)
        } else {
            write!(f, "X{:015X}", self.0 & !ASSIGNED)
        }
    }
}

impl std::str::FromStr for AdminCode {
    type Err = AdminCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AdminCode::parse(s)
    }
}

impl TryFrom<String> for AdminCode {
    type Error = AdminCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AdminCode::parse(&s)
    }
}

impl From<AdminCode> for String {
    fn from(c: AdminCode) -> String {
        c.to_string()
    }
}

labelled_enum! {
    /// What a town- or village-level unit is, as its name says.
    pub enum UnitKind: "unit kind" {
        Street => ("street", "街道", "Street"),
        Town => ("town", "镇", "Town"),
        Township => ("township", "乡", "Township"),
        Community => ("community", "社区", "Community (residents' committee)", "居委会"),
        Village => ("village", "村", "Village (villagers' committee)", "村委会"),
    }
}

impl UnitKind {
    /// Reads the kind from a town- or village-level name (e.g. "天生街道" → street).
    pub fn from_name(level: AdminLevel, name: &str) -> Option<UnitKind> {
        match level {
            AdminLevel::Town => {
                if name.ends_with("街道") || name.ends_with("街道办事处") {
                    Some(UnitKind::Street)
                } else if name.ends_with('镇') {
                    Some(UnitKind::Town)
                } else if name.ends_with('乡') {
                    Some(UnitKind::Township)
                } else {
                    None
                }
            }
            AdminLevel::Village => {
                if name.ends_with("村民委员会") || name.ends_with("村委会") || name.ends_with('村')
                {
                    Some(UnitKind::Village)
                } else if name.ends_with("居民委员会")
                    || name.ends_with("居委会")
                    || name.ends_with("社区")
                    || name.ends_with("社区工作站")
                {
                    Some(UnitKind::Community)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The level a unit of this kind sits at.
    pub fn level(self) -> AdminLevel {
        match self {
            UnitKind::Street | UnitKind::Town | UnitKind::Township => AdminLevel::Town,
            UnitKind::Community | UnitKind::Village => AdminLevel::Village,
        }
    }
}

labelled_enum! {
    /// NBS urban–rural classification code (城乡分类代码).
    pub enum UrbanRuralClass: "urban-rural class" {
        MainUrban => ("111", "主城区", "Main urban area"),
        UrbanFringe => ("112", "城乡结合区", "Urban–rural fringe"),
        TownCentre => ("121", "镇中心区", "Town centre"),
        TownFringe => ("122", "镇乡结合区", "Town–rural fringe"),
        SpecialArea => ("123", "特殊区域", "Special area"),
        TownshipCentre => ("210", "乡中心区", "Township centre"),
        Village => ("220", "村庄", "Village"),
    }
}

impl UrbanRuralClass {
    /// Urban (城镇, codes 1xx) as opposed to rural (乡村, codes 2xx).
    pub fn is_urban(self) -> bool {
        !matches!(
            self,
            UrbanRuralClass::TownshipCentre | UrbanRuralClass::Village
        )
    }
}

/// One unit of the administrative hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUnit {
    /// Statistical division code; also fixes the level and the parent.
    pub code: AdminCode,
    /// Official name.
    pub name: String,
    /// Street/town/township or community/village, when known.
    pub kind: Option<UnitKind>,
    /// Urban–rural class, when known.
    pub urban_rural: Option<UrbanRuralClass>,
    /// Representative point (seat or centroid).
    pub point: Option<LonLat>,
    /// Boundary.
    pub boundary: Option<MultiPolygon>,
    /// The unit's id in the system it came from (a DHIS2 uid, a FHIR Location id), for a
    /// unit of an assigned hierarchy; matched when the same source is read again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The source's name for the unit's level (DHIS2 `organisationUnitLevels`: "District",
    /// "Chiefdom"), shown where an NBS unit shows 区县 or 乡镇街道.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_name: Option<String>,
}

impl AdminUnit {
    /// A unit with only code and name; the kind is read from the name.
    pub fn new(code: AdminCode, name: impl Into<String>) -> Self {
        let name = name.into();
        let kind = UnitKind::from_name(code.level(), &name);
        AdminUnit {
            code,
            name,
            kind,
            urban_rural: None,
            point: None,
            boundary: None,
            source_id: None,
            level_name: None,
        }
    }

    /// Level, derived from the code.
    pub fn level(&self) -> AdminLevel {
        self.code.level()
    }

    /// Parent code, derived from the code.
    pub fn parent(&self) -> Option<AdminCode> {
        self.code.parent()
    }
}

/// A point and/or boundary to attach to an existing unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitGeometry {
    /// The unit.
    pub code: AdminCode,
    /// A point, when given.
    pub point: Option<LonLat>,
    /// A boundary, when given.
    pub boundary: Option<MultiPolygon>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AdminCode {
        AdminCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents() {
        let village = code("500109001001");
        assert_eq!(village.level(), AdminLevel::Village);
        assert_eq!(village.gb2260(), 500109);
        let town = village.parent().unwrap();
        assert_eq!(town, code("500109001"));
        assert_eq!(town.level(), AdminLevel::Town);
        let county = town.parent().unwrap();
        assert_eq!(county.to_string(), "500109000000");
        assert_eq!(county.parent().unwrap(), code("5001"));
        assert_eq!(code("5001").parent().unwrap(), code("50"));
        assert_eq!(code("50").parent(), None);
        assert!(village.is_descendant_of(code("50")));
        assert!(!county.is_descendant_of(village));
        assert!(!county.is_descendant_of(county));
    }

    #[test]
    fn descent_by_code_range_equals_descent_by_truncation() {
        // the slow, obvious definition
        let reference =
            |c: AdminCode, a: AdminCode| a.level() < c.level() && c.truncated(a.level()) == a;
        let mut codes = Vec::new();
        for p in ["50", "51", "99"] {
            for pre in ["00", "01", "02", "99"] {
                for county in ["00", "09", "51"] {
                    for town in ["000", "001", "101", "999"] {
                        for village in ["000", "001", "210"] {
                            if let Ok(c) =
                                AdminCode::parse(&format!("{p}{pre}{county}{town}{village}"))
                            {
                                codes.push(c);
                            }
                        }
                    }
                }
            }
        }
        for parts in [
            &[1u16][..],
            &[1, 2],
            &[1, 2, 3],
            &[1, 2, 3, 4],
            &[1, 2, 3, 4, 5],
            &[2],
            &[1, 4095],
        ] {
            codes.push(AdminCode::assigned(parts).unwrap());
        }
        codes.sort();
        codes.dedup();
        for &c in &codes {
            for &a in &codes {
                assert_eq!(c.is_descendant_of(a), reference(c, a), "{c} under {a}");
                assert_eq!(a.covers(c), c == a || reference(c, a), "{a} covers {c}");
            }
        }
    }

    #[test]
    fn assigned_codes_derive_level_parent_and_subtree() {
        let top = AdminCode::assigned(&[1]).unwrap();
        let district = AdminCode::assigned(&[1, 2]).unwrap();
        let chiefdom = AdminCode::assigned(&[1, 2, 4095]).unwrap();
        assert!(!top.is_nbs() && code("50").is_nbs());
        assert_eq!(chiefdom.to_string(), "X001002FFF000000");
        assert_eq!(code("X001002FFF000000"), chiefdom);
        assert_eq!(code("x001002fff000000"), chiefdom);
        assert_eq!(chiefdom.level(), AdminLevel::County);
        assert_eq!(chiefdom.parent(), Some(district));
        assert_eq!(district.parent(), Some(top));
        assert_eq!(top.parent(), None);
        assert_eq!(chiefdom.position(), Some(4095));
        assert_eq!(district.child(4095), Some(chiefdom));
        assert_eq!(code("500109").child(3), Some(code("500109003")));
        assert!(chiefdom.is_descendant_of(top));
        assert!(!chiefdom.is_descendant_of(code("50")));
        assert_eq!(chiefdom.truncated(AdminLevel::Province), top);
        let (lo, hi) = district.subtree_range();
        assert!(lo <= chiefdom.get() && chiefdom.get() <= hi);
        assert!(AdminCode::assigned(&[1, 3]).unwrap().get() > hi);
        assert_eq!(AdminCode::from_u64(chiefdom.get()), Ok(chiefdom));
        // NBS codes sort before every assigned one
        assert!(code("659999999999") < top);
        assert!(matches!(
            AdminCode::parse("X000001000000000"),
            Err(AdminCodeError::NoProvince(_))
        ));
        assert!(matches!(
            AdminCode::parse("X001000001000000"),
            Err(AdminCodeError::SkipsLevel(_))
        ));
        assert!(AdminCode::parse("X00100100000000").is_err());
        assert!(AdminCode::assigned(&[1, 0]).is_err());
        assert!(AdminCode::assigned(&[1, 1, 1, 1, 1, 1]).is_err());
    }

    #[test]
    fn malformed_codes() {
        assert!(matches!(
            AdminCode::parse("50010900100"),
            Err(AdminCodeError::Malformed(_))
        ));
        assert!(matches!(
            AdminCode::parse("5001x9"),
            Err(AdminCodeError::Malformed(_))
        ));
        assert!(matches!(
            AdminCode::parse("000109"),
            Err(AdminCodeError::NoProvince(_))
        ));
        assert!(matches!(
            AdminCode::parse("500009001000"),
            Err(AdminCodeError::SkipsLevel(_))
        ));
    }

    #[test]
    fn kind_from_name() {
        assert_eq!(
            UnitKind::from_name(AdminLevel::Town, "天生街道"),
            Some(UnitKind::Street)
        );
        assert_eq!(
            UnitKind::from_name(AdminLevel::Town, "静观镇"),
            Some(UnitKind::Town)
        );
        assert_eq!(
            UnitKind::from_name(AdminLevel::Village, "东方广场社区居民委员会"),
            Some(UnitKind::Community)
        );
        assert_eq!(
            UnitKind::from_name(AdminLevel::Village, "双凤村村民委员会"),
            Some(UnitKind::Village)
        );
    }
}
