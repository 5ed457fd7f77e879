//! The console's UI strings, from the locale files in `src/locales/` (one
//! JSON object of key → text per language). A key missing from a file is a
//! test failure, not a blank on screen: the tests below read every key the
//! source asks for and look for it in every file.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use switchboard_protocol::site::Locale;

const EN: &str = include_str!("locales/en.json");
const NL: &str = include_str!("locales/nl.json");

/// The strings of one language (cheap to copy into every view).
#[derive(Debug, Clone, Copy)]
pub struct Strings {
    locale: Locale,
    map: &'static BTreeMap<String, String>,
}

fn load(locale: Locale) -> &'static BTreeMap<String, String> {
    static MAPS: [OnceLock<BTreeMap<String, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let (i, text) = match locale {
        Locale::En => (0, EN),
        Locale::Nl => (1, NL),
    };
    MAPS[i].get_or_init(|| serde_json::from_str(text).expect("locale files are valid"))
}

impl Strings {
    /// The strings for `locale`.
    pub fn for_locale(locale: Locale) -> Self {
        Self { locale, map: load(locale) }
    }

    /// The strings for the first of the browser's languages the console
    /// speaks, in the order its settings list them (English when none).
    pub fn for_browser() -> Self {
        let languages: Vec<String> = web_sys::window()
            .map(|w| w.navigator().languages().iter().filter_map(|l| l.as_string()).collect())
            .unwrap_or_default();
        Self::for_locale(Locale::pick(None, languages.iter().map(String::as_str)))
    }

    /// The language.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text of `key` (the key itself if a file lacks it, which the tests refuse).
    pub fn t(&self, key: &str) -> String {
        self.map.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn f(&self, key: &str, values: &[(&str, &str)]) -> String {
        values.iter().fold(self.t(key), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every `t("…")` and `f("…"` key in the source files under `dir`.
    fn used_keys(dir: &Path, keys: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                used_keys(&path, keys);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in [".t(\"", ".f(\""] {
                    for (i, _) in text.match_indices(marker) {
                        let rest = &text[i + marker.len()..];
                        keys.push(rest[..rest.find('"').unwrap()].to_owned());
                    }
                }
            }
        }
    }

    #[test]
    fn every_key_the_console_uses_is_in_every_locale_file() {
        let mut keys = Vec::new();
        used_keys(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut keys);
        assert!(keys.len() > 50, "found only {} keys: is the scan broken?", keys.len());
        for locale in [Locale::En, Locale::Nl] {
            let missing: Vec<&String> = keys.iter().filter(|k| !load(locale).contains_key(*k)).collect();
            assert!(missing.is_empty(), "{locale:?} lacks {missing:?}");
        }
    }

    #[test]
    fn keys_made_from_values_are_there_too() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(["visitor", "agent", "system"].map(|a| format!("author_{a}")));
        keys.extend(crate::model::agents::DAYS.map(|d| format!("day_{d}")));
        keys.extend(crate::model::site::locales().map(|l| format!("language_{}", l.tag())));
        keys.extend(crate::model::rules::OPS.map(|(_, n)| format!("op_{n}")));
        keys.extend(["waiting", "offered", "active", "ended", "fallback"].map(|s| format!("state_{s}")));
        keys.extend(["invite_hint", "password_hint", "role_admin", "role_agent"].map(str::to_owned));
        use crate::model::designer::edit::{EditError, CARD_TYPES};
        keys.extend(
            CARD_TYPES.iter().flat_map(|t| [format!("card_{}", t.name()), format!("card_{}_hint", t.name())]),
        );
        keys.extend(["text", "email", "phone", "pick"].map(|k| format!("input_{k}")));
        keys.extend(["round_robin", "rules", "agent", "team"].map(|k| format!("routing_{k}")));
        keys.extend(["if_known_skip", "if_known_ask"].map(str::to_owned));
        keys.extend(crate::model::reports::Part::ALL.map(|p| format!("part_{}", p.key())));
        keys.extend(["one_error", "n_errors", "one_warning", "n_warnings"].map(str::to_owned));
        let errors = [
            EditError::NotFound,
            EditError::Full,
            EditError::EndBeforeCards,
            EditError::HasBranches,
            EditError::IntoItself,
            EditError::WouldLoop,
        ];
        keys.extend(errors.map(|e| e.key().to_owned()));
        for locale in [Locale::En, Locale::Nl] {
            let missing: Vec<&String> = keys.iter().filter(|k| !load(locale).contains_key(*k)).collect();
            assert!(missing.is_empty(), "{locale:?} lacks {missing:?}");
        }
    }

    #[test]
    fn the_locale_files_have_the_same_keys() {
        let en: Vec<&String> = load(Locale::En).keys().collect();
        let nl: Vec<&String> = load(Locale::Nl).keys().collect();
        assert_eq!(en, nl);
    }

    #[test]
    fn placeholders_are_filled() {
        let s = Strings::for_locale(Locale::En);
        assert_eq!(s.f("signed_in_as", &[("name", "Ada")]), "Signed in as Ada");
    }
}
