//! Assets and trading pairs in their one canonical form, `BASE-QUOTE`.

use serde::{Deserialize, Serialize};

/// The longest asset code.
const ASSET_MAX: usize = 12;

/// An asset code: 2 to 12 upper-case ASCII letters or digits (`BTC`, `BRL`, `USDT`). Held inline
/// (no allocation), so symbols are cheap to read, clone and compare by the thousand.
#[derive(Clone, PartialEq, Eq)]
pub struct Asset {
    len: u8,
    bytes: [u8; ASSET_MAX],
}

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
        let code = raw.trim().as_bytes();
        if !(2..=ASSET_MAX).contains(&code.len()) || !code.iter().all(u8::is_ascii_alphanumeric) {
            return Err(SymbolError::BadAsset(raw.to_owned()));
        }
        let mut bytes = [0; ASSET_MAX];
        for (to, from) in bytes.iter_mut().zip(code) {
            *to = from.to_ascii_uppercase();
        }
        Ok(Self { len: code.len() as u8, bytes })
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored (`new`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Debug for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Asset").field(&self.as_str()).finish()
    }
}

impl std::hash::Hash for Asset {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// Alphabetical, as the codes read.
impl Ord for Asset {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Asset {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
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
        value.as_str().to_owned()
    }
}

impl std::fmt::Display for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Asset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Asset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("an asset code such as BTC", Asset::new))
    }
}

/// Reads a value from the text the decoder holds (no `String` in between).
struct TextVisitor<T>(&'static str, fn(&str) -> Result<T, SymbolError>);

impl<T> serde::de::Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        (self.1)(text).map_err(E::custom)
    }
}

/// A trading pair. Displays and serialises as `BASE-QUOTE`; adapters map it to their own form
/// (Binance `BTCBRL`, Mercado Bitcoin `BTC-BRL`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

impl Serialize for Symbol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // `BASE-QUOTE` written on the stack: at most 12 + 1 + 12 bytes.
        let mut text = [0u8; 2 * ASSET_MAX + 1];
        let (base, quote) = (self.base.as_str().as_bytes(), self.quote.as_str().as_bytes());
        text[..base.len()].copy_from_slice(base);
        text[base.len()] = b'-';
        let end = base.len() + 1 + quote.len();
        text[base.len() + 1..end].copy_from_slice(quote);
        s.serialize_str(std::str::from_utf8(&text[..end]).map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> Deserialize<'de> for Symbol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("a symbol such as BTC-BRL", Symbol::parse))
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

    #[test]
    fn assets_order_and_read_as_their_codes() {
        let codes = ["USDT", "BTC", "AB", "BRL", "ABC", "ETH2", "ABCDEFGHIJKL"];
        let mut assets: Vec<Asset> = codes.iter().map(|c| Asset::new(&c.to_lowercase()).unwrap()).collect();
        assets.sort();
        let mut sorted = codes.to_vec();
        sorted.sort_unstable();
        assert_eq!(assets.iter().map(Asset::as_str).collect::<Vec<_>>(), sorted);
        assert!(Asset::new("ABCDEFGHIJKLM").is_err());
        assert!(Asset::new("BT-C").is_err());
        assert_eq!(format!("{:?}", Asset::new(" btc ").unwrap()), r#"Asset("BTC")"#);
    }

    #[test]
    fn symbols_travel_as_their_canonical_text() {
        let s: Symbol = serde_json::from_str(r#""eth/usdt""#).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""ETH-USDT""#);
        assert_eq!(serde_json::from_str::<Asset>(r#""brl""#).unwrap().as_str(), "BRL");
        let refused = serde_json::from_str::<Symbol>(r#""BTCBRL""#).unwrap_err().to_string();
        assert!(refused.contains("symbol `BTCBRL` must look like BTC-BRL"), "{refused}");
        assert!(serde_json::from_str::<Symbol>("7").is_err());
    }
}
