//! Explains a bot setting from the bot documentation (`docs/bots.md`, compiled in): the table row
//! that names it (with its column headers), or, for a topic such as "circuit breaker", the first
//! paragraph of the section of that name. The text is the documentation's own (English).

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

/// Explains `name`, if the documentation names such a setting or section.
pub(crate) fn explain(name: &str) -> Option<Explained> {
    let wanted = normalise(name);
    if wanted.is_empty() {
        return None;
    }
    // Words ("circuit breaker") name a topic first; a field name (`circuit_breaker`) its row.
    if name.trim().contains(' ') {
        if let Some(topic) = explain_section(&wanted) {
            return Some(topic);
        }
    }
    let mut section = String::new();
    for line in BOTS_DOC.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.split(" (").next().unwrap_or(title).to_owned();
            continue;
        }
        // The API table names routes and the bounds table names value ranges, not settings.
        let Some(row) = cells(line).filter(|_| !matches!(section.as_str(), "API" | "Bounds")) else {
            continue;
        };
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            if names_in(cell).any(|n| normalise(n) == wanted) {
                let default = (row.len() == 3 && i == 0).then(|| row[1].to_owned());
                let mut meaning = row[row.len() - 1].to_owned();
                if i > 0 {
                    meaning = format!("{}: {meaning}", row[..i].join(", "));
                }
                return Some(Explained { name: wanted, section, default, meaning });
            }
        }
    }
    explain_section(&wanted)
}

/// The first paragraph of the section titled `wanted` (normalised).
fn explain_section(wanted: &str) -> Option<Explained> {
    let mut lines = BOTS_DOC.lines();
    let title = lines.by_ref().find_map(|l| {
        let title = l.strip_prefix("## ")?;
        let short = title.split(" (").next().unwrap_or(title);
        (normalise(short) == wanted).then(|| short.to_owned())
    })?;
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

    #[test]
    fn a_setting_is_explained_by_its_documented_row() {
        let tp = explain("take_profit_percent").unwrap();
        assert_eq!(tp.section, "DCA bot");
        assert!(tp.meaning.contains("above the average"), "{tp:?}");
        assert_eq!(explain("Purchase Amount").unwrap().default.as_deref(), Some("required"));
        let trailing = explain("trailing_stop").unwrap();
        assert!(trailing.meaning.starts_with("trailing stop"), "{trailing:?}");
        assert!(explain("top_price").unwrap().meaning.contains("channel"));
    }

    #[test]
    fn a_topic_is_explained_by_its_section_and_unknown_names_are_not() {
        let breaker = explain("circuit breaker").unwrap();
        assert!(breaker.meaning.starts_with("Trips after N consecutive losing trades"), "{breaker:?}");
        assert_eq!(explain("circuit_breaker").unwrap().section, "Common settings");
        assert!(explain("moon_mode").is_none());
        assert!(explain("").is_none());
    }
}
