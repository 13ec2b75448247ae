//! Closed vocabularies with a stable machine code and zh-CN / en labels.
//!
//! Every enum a user can type into a file (institution types, grades, resource
//! quantities, …) is declared with [`labelled_enum!`], which gives it one code
//! (snake_case, used in files and the store), a Chinese and an English label, a
//! list of all members, and a parser that accepts any of the three spellings.

/// Error when text names no member of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a known {vocabulary}; expected one of: {expected}")]
pub struct UnknownLabel {
    /// The vocabulary, e.g. "institution type".
    pub vocabulary: &'static str,
    /// The text that did not match.
    pub value: String,
    /// A short list of the accepted codes.
    pub expected: String,
}

/// Common behaviour of closed vocabularies.
pub trait Labelled: Sized + Copy + 'static {
    /// Human name of the vocabulary, for error messages.
    const VOCABULARY: &'static str;
    /// Every member, in declaration order.
    fn all() -> &'static [Self];
    /// Stable machine code (snake_case).
    fn code(self) -> &'static str;
    /// Chinese label.
    fn zh(self) -> &'static str;
    /// English label.
    fn en(self) -> &'static str;
    /// Extra accepted spellings (aliases), beyond code, zh and en.
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    /// Parses a code, a Chinese or English label, or an alias (trimmed, ASCII case-insensitive).
    fn parse_label(text: &str) -> Result<Self, UnknownLabel> {
        let t = text.trim();
        Self::all()
            .iter()
            .copied()
            .find(|m| {
                m.code().eq_ignore_ascii_case(t)
                    || m.zh() == t
                    || m.en().eq_ignore_ascii_case(t)
                    || m.aliases().iter().any(|a| a.eq_ignore_ascii_case(t))
            })
            .ok_or_else(|| UnknownLabel {
                vocabulary: Self::VOCABULARY,
                value: t.to_string(),
                expected: {
                    let codes: Vec<&str> = Self::all().iter().map(|m| m.code()).collect();
                    if codes.len() > 12 {
                        format!(
                            "{}, … ({} in all; see docs/data-format.md)",
                            codes[..12].join(", "),
                            codes.len()
                        )
                    } else {
                        codes.join(", ")
                    }
                },
            })
    }
}

/// Declares a closed vocabulary: `Variant => ("code", "中文", "English" [, "alias"…])`.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $vocab:literal {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $zh:literal, $en:literal $(, $alias:literal)* $(,)?) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::labels::Labelled for $name {
            const VOCABULARY: &'static str = $vocab;
            fn all() -> &'static [Self] {
                &[ $( $name::$variant ),+ ]
            }
            fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }
            fn zh(self) -> &'static str {
                match self { $( $name::$variant => $zh ),+ }
            }
            fn en(self) -> &'static str {
                match self { $( $name::$variant => $en ),+ }
            }
            fn aliases(self) -> &'static [&'static str] {
                match self { $( $name::$variant => &[ $( $alias ),* ] ),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::labels::Labelled::code(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::labels::UnknownLabel;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$name as $crate::labels::Labelled>::parse_label(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::labels::Labelled::code(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    labelled_enum! {
        enum Colour: "colour" {
            Red => ("red", "红", "Red", "r"),
            Dark => ("dark_blue", "深蓝", "Dark blue"),
        }
    }

    #[test]
    fn parses_every_spelling() {
        assert_eq!(Colour::parse_label("red"), Ok(Colour::Red));
        assert_eq!(Colour::parse_label(" 红 "), Ok(Colour::Red));
        assert_eq!(Colour::parse_label("R"), Ok(Colour::Red));
        assert_eq!(Colour::parse_label("DARK BLUE"), Ok(Colour::Dark));
        let err = Colour::parse_label("green").unwrap_err();
        assert_eq!(err.expected, "red, dark_blue");
        assert!(err.to_string().contains("colour"));
    }
}
