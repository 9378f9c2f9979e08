//! Explains a bot setting from the bot documentation (`docs/bots.md`, compiled in): the table row
//! that names it (with its column headers), or, for a topic such as "circuit breaker", the first
//! paragraph of the section of that name. In English the text is the documentation's own; in
//! Portuguese it is [`glossary_pt`]'s, written for each documented name and section.

use super::glossary_pt;
use super::guide::Language;

/// The documentation the explanations come from.
const BOTS_DOC: &str = include_str!("../../../docs/bots.md");

/// A setting as the documentation explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Explained {
    /// The name as documented.
    pub name: String,
    /// The documentation's section.
    pub section: String,
    /// The default, where the table has one.
    pub default: Option<String>,
    /// What it means.
    pub meaning: String,
}

fn normalise(raw: &str) -> String {
    raw.trim().trim_matches('`').to_lowercase().replace([' ', '-'], "_")
}

fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// The backticked names in a table cell (`` `base_price`, `top_price` `` names two).
fn names_in(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('`').skip(1).step_by(2).map(|n| n.split([' ', '{']).next().unwrap_or(n))
}

/// One row of a table that defines names: the names it defines (in the table's `setting`
/// column, else its first), its section, its default (tables with one) and its meaning.
struct Row {
    names: Vec<String>,
    section: String,
    default: Option<String>,
    meaning: String,
}

/// Every defining row of the documentation. The API table names routes and the bounds table
/// value ranges, not settings; a default cell (`` `market` ``) names a value, not a setting.
fn rows() -> Vec<Row> {
    let (mut out, mut section, mut name_column, mut in_table) = (Vec::new(), String::new(), 0, false);
    let mut has_default = false;
    for line in BOTS_DOC.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.split(" (").next().unwrap_or(title).to_owned();
            continue;
        }
        let Some(row) = cells(line) else {
            in_table = false;
            continue;
        };
        if !in_table {
            // A table's first line is its header.
            in_table = true;
            name_column = row.iter().position(|h| *h == "setting").unwrap_or(0);
            has_default = row.get(1) == Some(&"default");
            continue;
        }
        let separator = row.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':'));
        if separator || matches!(section.as_str(), "API" | "Bounds") || name_column + 1 >= row.len() {
            continue;
        }
        let names = names_in(row[name_column]).map(normalise).filter(|n| !n.is_empty()).collect();
        let default = has_default.then(|| row[1].to_owned());
        let mut meaning = row[row.len() - 1].to_owned();
        if name_column > 0 {
            meaning = format!("{}: {meaning}", row[..name_column].join(", "));
        }
        out.push(Row { names, section: section.clone(), default, meaning });
    }
    out
}

/// Explains `name` in `lang`, if the documentation names such a setting or section.
pub(crate) fn explain(name: &str, lang: Language) -> Option<Explained> {
    let wanted = normalise(name);
    if wanted.is_empty() {
        return None;
    }
    // Words ("circuit breaker") name a topic first; a field name (`circuit_breaker`) its row.
    if name.trim().contains(' ') {
        if let Some(topic) = explain_section(&wanted, lang) {
            return Some(topic);
        }
    }
    let found = rows().into_iter().find(|r| r.names.contains(&wanted));
    let Some(row) = found else { return explain_section(&wanted, lang) };
    Some(match lang {
        Language::En => Explained { name: wanted, section: row.section, default: row.default, meaning: row.meaning },
        Language::Pt => Explained {
            meaning: glossary_pt::setting(&wanted).map_or(row.meaning, str::to_owned),
            section: glossary_pt::section(&row.section).map_or(row.section, |(title, _)| title.to_owned()),
            default: row.default.as_deref().map(glossary_pt::default),
            name: wanted,
        },
    })
}

/// The first paragraph of the section titled `wanted` (normalised), in `lang`.
fn explain_section(wanted: &str, lang: Language) -> Option<Explained> {
    let mut lines = BOTS_DOC.lines();
    let title = lines.by_ref().find_map(|l| {
        let title = l.strip_prefix("## ")?;
        let short = title.split(" (").next().unwrap_or(title);
        (normalise(short) == wanted).then(|| short.to_owned())
    })?;
    if lang == Language::Pt {
        if let Some((title, text)) = glossary_pt::section(&title) {
            return Some(Explained {
                name: wanted.to_owned(),
                section: title.to_owned(),
                default: None,
                meaning: text.to_owned(),
            });
        }
    }
    let paragraph: Vec<&str> =
        lines.skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
    (!paragraph.is_empty()).then(|| Explained {
        name: wanted.to_owned(),
        section: title,
        default: None,
        meaning: paragraph.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use Language::{En, Pt};

    #[test]
    fn a_setting_is_explained_by_its_documented_row() {
        let tp = explain("take_profit_percent", En).unwrap();
        assert_eq!(tp.section, "DCA bot");
        assert!(tp.meaning.contains("above the average"), "{tp:?}");
        assert_eq!(explain("Purchase Amount", En).unwrap().default.as_deref(), Some("required"));
        let trailing = explain("trailing_stop", En).unwrap();
        assert!(trailing.meaning.starts_with("trailing stop"), "{trailing:?}");
        assert!(explain("top_price", En).unwrap().meaning.contains("channel"));
        // `window` is the default cell of the fixed channel's row; its own row explains it.
        assert!(explain("window", En).unwrap().meaning.contains("lookback"));
        assert!(explain("market", En).is_none(), "a default value is not a setting");
    }

    #[test]
    fn a_topic_is_explained_by_its_section_and_unknown_names_are_not() {
        let breaker = explain("circuit breaker", En).unwrap();
        assert!(breaker.meaning.starts_with("Trips after N consecutive losing trades"), "{breaker:?}");
        assert_eq!(explain("circuit_breaker", En).unwrap().section, "Common settings");
        assert!(explain("moon_mode", En).is_none());
        assert!(explain("", Pt).is_none());
    }

    #[test]
    fn every_documented_name_and_section_has_its_portuguese_text() {
        let rows = rows();
        assert!(rows.len() > 50, "{}", rows.len());
        for name in rows.iter().flat_map(|r| r.names.iter()) {
            assert!(glossary_pt::setting(name).is_some(), "no Portuguese text for `{name}`");
            let pt = explain(name, Pt).unwrap();
            assert_ne!(pt.meaning, explain(name, En).unwrap().meaning, "{name}");
        }
        for title in BOTS_DOC.lines().filter_map(|l| l.strip_prefix("## ")) {
            let title = title.split(" (").next().unwrap_or(title);
            assert!(glossary_pt::section(title).is_some(), "no Portuguese text for the section {title}");
        }
    }

    #[test]
    fn portuguese_explanations_read_in_portuguese() {
        let tp = explain("take_profit_percent", Pt).unwrap();
        assert_eq!((tp.section.as_str(), tp.default.as_deref()), ("Bot DCA", Some("obrigatório")));
        assert!(tp.meaning.contains("acima do preço médio"), "{tp:?}");
        let breaker = explain("circuit breaker", Pt).unwrap();
        assert!(breaker.meaning.starts_with("Dispara depois de N operações perdedoras seguidas"), "{breaker:?}");
        assert_eq!(explain("circuit_breaker", Pt).unwrap().section, "Configurações comuns");
    }
}
