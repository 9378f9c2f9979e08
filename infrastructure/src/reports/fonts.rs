//! The report's typeface, DejaVu Sans regular and bold (Bitstream Vera licence, see
//! `infrastructure/assets/fonts/LICENSE`), compiled into the binary, cut down once at start-up
//! to the Latin scripts and common symbols (`CHARSET`: English, Portuguese, Spanish...) and
//! embedded in every PDF, so text reads the same everywhere and can be extracted; and text
//! measurement for alignment. A character outside the subset is drawn as a box.

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use domain::reports::RenderError;
use printpdf::ParsedFont;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The characters the embedded subset keeps: Basic Latin, Latin-1, Latin Extended-A, general
/// punctuation (dashes, quotes, "…", "·") and currency signs. Whole DejaVu faces are 740 KB
/// each; the subsets a few tens, which is also what each render compresses.
const CHARSET: [(u32, u32); 5] = [(0x20, 0x7e), (0xa0, 0xff), (0x100, 0x17f), (0x2010, 0x2044), (0x20a0, 0x20bf)];

/// Parses `bytes` and returns it cut down to `CHARSET`, parsed again.
fn latin_subset(bytes: &[u8], name: &str) -> Result<ParsedFont, RenderError> {
    let error = |what: &str| RenderError::Font(format!("{name}: {what}"));
    let whole = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or_else(|| error("does not parse"))?;
    // allsorts wants .notdef first and no duplicates
    let mut glyphs: Vec<u16> = CHARSET
        .iter()
        .flat_map(|&(from, to)| from..=to)
        .filter_map(|c| whole.lookup_glyph_index(c))
        .filter(|&g| g != 0)
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup();
    glyphs.insert(0, 0);
    let font = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| error(&e.to_string()))?;
    let provider = font.table_provider(0).map_err(|e| error(&e.to_string()))?;
    let cut =
        subset(&provider, &glyphs, &SubsetProfile::Minimal, CmapTarget::Unicode).map_err(|e| error(&e.to_string()))?;
    ParsedFont::from_bytes(&cut, 0, &mut Vec::new()).ok_or_else(|| error("its subset does not parse"))
}

/// Which face of the typeface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Body text, figures, ticks.
    Regular = 0,
    /// Headings and table headers.
    Bold = 1,
}

/// Both faces, parsed once.
pub struct Typeface {
    faces: [ParsedFont; 2],
}

impl std::fmt::Debug for Typeface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typeface(DejaVu Sans)")
    }
}

impl Typeface {
    /// Parses and subsets the embedded faces. Errors: `RenderError::Font` if one does not parse
    /// or cannot be subset.
    pub fn load() -> Result<Self, RenderError> {
        Ok(Self { faces: [latin_subset(REGULAR, "DejaVuSans.ttf")?, latin_subset(BOLD, "DejaVuSans-Bold.ttf")?] })
    }

    /// The parsed face of `weight`.
    pub fn face(&self, weight: Weight) -> &ParsedFont {
        &self.faces[weight as usize]
    }

    /// The advance width of `text` at `size` points, in points (a character without a glyph
    /// counts as half an em).
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = self.face(weight);
        let em = f32::from(face.units_per_em.max(1));
        let units: f32 = text
            .chars()
            .map(|c| {
                face.lookup_glyph_index(c as u32).and_then(|g| face.get_glyph_width(g)).map_or(em / 2.0, f32::from)
            })
            .sum();
        units * size / em
    }

    /// The longest prefix of `text` that fits in `max` points, with "…" when cut. Used only for
    /// labels that are not figures (legend names, long bot names); figures are never cut.
    pub fn fit(&self, text: &str, size: f32, weight: Weight, max: f32) -> String {
        if self.width(text, size, weight) <= max {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.width(&format!("{cut}…"), size, weight) > max {
            cut.pop();
        }
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_text_and_size() {
        let t = Typeface::load().unwrap();
        let one = t.width("1234.56", 10.0, Weight::Regular);
        assert!(one > 20.0 && one < 50.0, "{one}");
        assert!((t.width("1234.56", 20.0, Weight::Regular) - 2.0 * one).abs() < 0.01);
        assert!(t.width("W", 10.0, Weight::Bold) > t.width("i", 10.0, Weight::Bold));
    }

    #[test]
    fn the_subset_keeps_portuguese_and_drops_what_is_outside() {
        let t = Typeface::load().unwrap();
        for c in "Olá, ação: R$ 1.234,56 € – “ok” …".chars() {
            assert!(t.face(Weight::Regular).lookup_glyph_index(c as u32).is_some_and(|g| g != 0), "{c:?}");
        }
        assert!(t.face(Weight::Bold).lookup_glyph_index('ж' as u32).is_none_or(|g| g == 0));
    }

    #[test]
    fn fit_cuts_only_what_does_not_fit() {
        let t = Typeface::load().unwrap();
        assert_eq!(t.fit("dca", 8.0, Weight::Regular, 100.0), "dca");
        let cut = t.fit("a very long bot name indeed", 8.0, Weight::Regular, 40.0);
        assert!(cut.ends_with('…') && t.width(&cut, 8.0, Weight::Regular) <= 40.0, "{cut}");
    }
}
