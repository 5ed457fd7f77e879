//! The languages the widget, the inbox and the console ship strings for
//! (a site's and a stream's language). Its own module so that the stream
//! model and the site's configuration, which holds streams, need not import
//! each other.

use crate::json::{FromJson, Json, JsonError};
use serde::{Deserialize, Serialize};

/// A language that is not one of [`Locale`]'s (the tag, cut to 20
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown locale {0:?}; known: en, nl")]
pub struct UnknownLocale(pub String);

/// The languages the widget and inbox ship strings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(rename_all = "lowercase"))]
#[serde(try_from = "String", into = "String")]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Dutch.
    Nl,
}

impl Locale {
    /// Parses a language tag (`en`, `nl-BE`, …) by its primary subtag.
    pub fn parse(raw: &str) -> Result<Self, UnknownLocale> {
        let primary = raw.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Ok(Self::En),
            "nl" => Ok(Self::Nl),
            _ => Err(UnknownLocale(raw.chars().take(20).collect())),
        }
    }

    /// The site's locale when it has one, else the first of the browser's
    /// languages (most preferred first) that is built in, else English.
    pub fn pick<'a>(site: Option<Locale>, browser: impl IntoIterator<Item = &'a str>) -> Locale {
        site.or_else(|| browser.into_iter().find_map(|l| Self::parse(l).ok())).unwrap_or_default()
    }

    /// The BCP 47 tag, for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nl => "nl",
        }
    }
}

impl TryFrom<String> for Locale {
    type Error = UnknownLocale;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Locale> for String {
    fn from(l: Locale) -> Self {
        l.tag().to_owned()
    }
}

impl FromJson for Locale {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let raw = json.str()?;
        Self::parse(raw).map_err(|_| JsonError::invalid(raw))
    }
}
