//! Assets and trading pairs in their one canonical form, `BASE-QUOTE`.

use serde::{Deserialize, Serialize};

/// An asset code: 2 to 12 upper-case ASCII letters or digits (`BTC`, `BRL`, `USDT`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Asset(String);

/// Why a symbol or asset is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    /// Not 2-12 letters or digits.
    #[error("asset `{0}` must be 2 to 12 letters or digits")]
    BadAsset(String),
    /// Not of the form `BASE-QUOTE`.
    #[error("symbol `{0}` must look like BTC-BRL")]
    Malformed(String),
    /// Base and quote are the same asset.
    #[error("symbol `{0}` has the same base and quote")]
    SameAssets(String),
}

impl Asset {
    /// Upper-cases and checks `raw`.
    pub fn new(raw: &str) -> Result<Self, SymbolError> {
        let s = raw.trim().to_ascii_uppercase();
        if (2..=12).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Self(s))
        } else {
            Err(SymbolError::BadAsset(raw.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Asset {
    type Error = SymbolError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Asset> for String {
    fn from(value: Asset) -> Self {
        value.0
    }
}

impl std::fmt::Display for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A trading pair. Displays and serialises as `BASE-QUOTE`; adapters map it to their own form
/// (Binance `BTCBRL`, Mercado Bitcoin `BTC-BRL`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol {
    base: Asset,
    quote: Asset,
}

impl Symbol {
    /// A pair from its two assets.
    pub fn new(base: Asset, quote: Asset) -> Result<Self, SymbolError> {
        if base == quote {
            return Err(SymbolError::SameAssets(format!("{base}-{quote}")));
        }
        Ok(Self { base, quote })
    }

    /// Parses `BASE-QUOTE` (also accepts `BASE/QUOTE` and `BASE_QUOTE`, any case).
    pub fn parse(raw: &str) -> Result<Self, SymbolError> {
        let (base, quote) =
            raw.trim().split_once(['-', '/', '_']).ok_or_else(|| SymbolError::Malformed(raw.to_owned()))?;
        Self::new(Asset::new(base)?, Asset::new(quote)?)
    }

    /// The asset bought and sold.
    pub fn base(&self) -> &Asset {
        &self.base
    }

    /// The asset prices are quoted in.
    pub fn quote(&self) -> &Asset {
        &self.quote
    }

    /// `BASEQUOTE`, Binance's form.
    pub fn concatenated(&self) -> String {
        format!("{}{}", self.base, self.quote)
    }
}

impl TryFrom<String> for Symbol {
    type Error = SymbolError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Symbol> for String {
    fn from(value: Symbol) -> Self {
        value.to_string()
    }
}

impl std::fmt::Display for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.base, self.quote)
    }
}

impl std::str::FromStr for Symbol {
    type Err = SymbolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form() {
        let s = Symbol::parse("btc/brl").unwrap();
        assert_eq!(s.to_string(), "BTC-BRL");
        assert_eq!(s.concatenated(), "BTCBRL");
        assert!(Symbol::parse("BTCBRL").is_err());
        assert!(Symbol::parse("BTC-BTC").is_err());
        assert!(Symbol::parse("B-BRL").is_err());
    }
}
