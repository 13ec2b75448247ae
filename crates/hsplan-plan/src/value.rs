//! Values as plans publish them ("6.57", "1:1.1", "≥2.7", "<8", "——", "同比例提高"),
//! kept verbatim and read into a structured form.

use serde::Serialize;

/// A comparator before a target number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparator {
    /// ≥
    AtLeast,
    /// >
    Above,
    /// ≤
    AtMost,
    /// <
    Below,
    /// = (or no comparator)
    Equal,
    /// 左右 / ≈ (about)
    About,
}

/// A published cell, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PublishedValue {
    /// "—", "——", "-", or empty: not available.
    Missing,
    /// A number, with a comparator and any footnote marker such as "*".
    Number {
        /// The number.
        value: f64,
        /// Its comparator (Equal when none).
        comparator: Comparator,
        /// Footnote marker(s) after the number.
        footnote: Option<String>,
    },
    /// A ratio written 1:x (x returned; the left side is always 1).
    Ratio {
        /// The right-hand side.
        per_one: f64,
        /// Comparator before it, if any.
        comparator: Comparator,
    },
    /// "同比例提高": rise in proportion (to a reference named elsewhere).
    RiseInProportion,
    /// "国家下达" / "完成国家下达任务": set by a higher authority.
    SetByHigherAuthority,
    /// Anything else (qualitative text such as "持续下降").
    Text(String),
}

impl PublishedValue {
    /// Reads a published cell.
    pub fn parse(text: &str) -> PublishedValue {
        let t = text.trim();
        if t.is_empty() || t.chars().all(|c| matches!(c, '—' | '-' | '－' | '–' | ' ')) {
            return PublishedValue::Missing;
        }
        if t.contains("同比例提高") {
            return PublishedValue::RiseInProportion;
        }
        if t.contains("国家下达") || t.contains("市级下达") {
            return PublishedValue::SetByHigherAuthority;
        }
        let (comparator, rest) = split_comparator(t);
        let (comparator, rest) = match rest.strip_suffix("左右") {
            Some(r) => (Comparator::About, r.trim()),
            None => (comparator, rest),
        };
        if let Some((left, right)) = rest.split_once([':', '：']) {
            if let (Ok(l), Ok(r)) = (left.trim().parse::<f64>(), right.trim().parse::<f64>()) {
                if l != 0.0 {
                    return PublishedValue::Ratio {
                        per_one: r / l,
                        comparator,
                    };
                }
            }
        }
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_end > 0 {
            if let Ok(value) = rest[..number_end].parse::<f64>() {
                let tail = rest[number_end..].trim();
                if tail.is_empty() || tail.chars().all(|c| matches!(c, '*' | '＊' | '※')) {
                    let footnote = (!tail.is_empty()).then(|| tail.to_string());
                    return PublishedValue::Number {
                        value,
                        comparator,
                        footnote,
                    };
                }
            }
        }
        PublishedValue::Text(t.to_string())
    }

    /// The number a value states, for comparisons (ratios give x of 1:x).
    pub fn number(&self) -> Option<f64> {
        match self {
            PublishedValue::Number { value, .. } => Some(*value),
            PublishedValue::Ratio { per_one, .. } => Some(*per_one),
            _ => None,
        }
    }

    /// Decimal places as published (for rounding-aware comparisons).
    pub fn decimals(text: &str) -> u32 {
        let t = text.trim();
        let t = t.rsplit([':', '：']).next().unwrap_or(t);
        let digits: String = t
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        digits
            .split_once('.')
            .map(|(_, d)| d.len() as u32)
            .unwrap_or(0)
    }
}

fn split_comparator(t: &str) -> (Comparator, &str) {
    for (prefix, c) in [
        ("≥", Comparator::AtLeast),
        (">=", Comparator::AtLeast),
        ("≤", Comparator::AtMost),
        ("<=", Comparator::AtMost),
        (">", Comparator::Above),
        ("＞", Comparator::Above),
        ("<", Comparator::Below),
        ("＜", Comparator::Below),
        ("≈", Comparator::About),
        ("=", Comparator::Equal),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return (c, rest.trim());
        }
    }
    (Comparator::Equal, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_forms() {
        assert_eq!(PublishedValue::parse("—— "), PublishedValue::Missing);
        assert_eq!(
            PublishedValue::parse(" 0.4"),
            PublishedValue::Number {
                value: 0.4,
                comparator: Comparator::Equal,
                footnote: None
            }
        );
        assert_eq!(
            PublishedValue::parse("≥2.7"),
            PublishedValue::Number {
                value: 2.7,
                comparator: Comparator::AtLeast,
                footnote: None
            }
        );
        assert_eq!(
            PublishedValue::parse("<8"),
            PublishedValue::Number {
                value: 8.0,
                comparator: Comparator::Below,
                footnote: None
            }
        );
        assert_eq!(
            PublishedValue::parse("1:1.3"),
            PublishedValue::Ratio {
                per_one: 1.3,
                comparator: Comparator::Equal
            }
        );
        assert_eq!(
            PublishedValue::parse("79左右"),
            PublishedValue::Number {
                value: 79.0,
                comparator: Comparator::About,
                footnote: None
            }
        );
        assert_eq!(
            PublishedValue::parse("8.5*"),
            PublishedValue::Number {
                value: 8.5,
                comparator: Comparator::Equal,
                footnote: Some("*".into())
            }
        );
        assert_eq!(
            PublishedValue::parse("同比例提高"),
            PublishedValue::RiseInProportion
        );
        assert_eq!(
            PublishedValue::parse("完成国家下达任务"),
            PublishedValue::SetByHigherAuthority
        );
        assert_eq!(
            PublishedValue::parse("持续下降"),
            PublishedValue::Text("持续下降".into())
        );
        assert_eq!(PublishedValue::decimals("23.53"), 2);
        assert_eq!(PublishedValue::decimals("≥60"), 0);
        assert_eq!(
            PublishedValue::decimals("1:1.1 "),
            1,
            "a ratio's decimals are those of x in 1:x"
        );
    }
}
