//! A page-at-a-time drawing surface over printpdf's operations: text in the embedded typeface,
//! strokes and fills in points from the page's bottom left, and a cursor that flows content down
//! the page and onto a new page when it does not fit.

use printpdf::{
    Color, FontId, Line, LineDashPattern, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt,
    Rgb, TextItem, WindingOrder,
};

use super::fonts::{Typeface, Weight};

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// The page margin on every side, in points.
pub const MARGIN: f32 = 48.0;
/// The lowest y content may reach: the footer (page numbers) lives below it.
pub const CONTENT_BOTTOM: f32 = MARGIN + 14.0;

/// An RGB colour, components from 0 to 1.
pub type Rgb3 = (f32, f32, f32);

/// Text, rules and axes.
pub const INK: Rgb3 = (0.13, 0.13, 0.15);
/// Secondary text: labels, ticks, the subtitle.
pub const MUTED: Rgb3 = (0.40, 0.40, 0.45);
/// Grid lines and table stripes.
pub const FAINT: Rgb3 = (0.90, 0.90, 0.92);

/// The pages drawn so far and the one being drawn, with the flow cursor `y` (top down).
pub struct Canvas<'a> {
    typeface: &'a Typeface,
    fonts: [FontId; 2],
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Where the next block starts, in points from the bottom.
    pub y: f32,
}

impl std::fmt::Debug for Canvas<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Canvas").field("pages", &(self.done.len() + 1)).field("y", &self.y).finish()
    }
}

fn color(c: Rgb3) -> Color {
    Color::Rgb(Rgb { r: c.0, g: c.1, b: c.2, icc_profile: None })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

impl<'a> Canvas<'a> {
    /// A first, empty page; `fonts` are the document's ids of the regular and bold faces.
    pub fn new(typeface: &'a Typeface, fonts: [FontId; 2]) -> Self {
        Self { typeface, fonts, done: Vec::new(), ops: Vec::new(), y: PAGE_HEIGHT - MARGIN }
    }

    /// The typeface, to measure text.
    pub fn typeface(&self) -> &Typeface {
        self.typeface
    }

    /// Starts a new page unless `height` points still fit above the footer.
    pub fn ensure_space(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM {
            self.new_page();
        }
    }

    /// Closes the current page and starts the next at the top.
    pub fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Writes `text` with its baseline's left end at (x, y).
    pub fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, ink: Rgb3, text: &str) {
        let font = self.fonts[weight as usize].clone();
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color(ink) },
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
    }

    /// Writes `text` ending at x (right aligned).
    pub fn text_right(&mut self, x: f32, y: f32, size: f32, weight: Weight, ink: Rgb3, text: &str) {
        let width = self.typeface.width(text, size, weight);
        self.text(x - width, y, size, weight, ink, text);
    }

    /// Writes `text` centred on x.
    pub fn text_centred(&mut self, x: f32, y: f32, size: f32, weight: Weight, ink: Rgb3, text: &str) {
        let width = self.typeface.width(text, size, weight);
        self.text(x - width / 2.0, y, size, weight, ink, text);
    }

    /// Strokes a polyline through `points`; `dashed` for grid lines.
    pub fn polyline(&mut self, points: &[(f32, f32)], ink: Rgb3, width: f32, dashed: bool) {
        if points.len() < 2 {
            return;
        }
        let dash = if dashed { LineDashPattern::new(0.0, &[2.0, 2.0]) } else { LineDashPattern::solid() };
        self.ops.extend([
            Op::SetOutlineColor { col: color(ink) },
            Op::SetOutlineThickness { pt: Pt(width) },
            Op::SetLineDashPattern { dash },
            Op::DrawLine {
                line: Line { points: points.iter().map(|&(x, y)| point(x, y)).collect(), is_closed: false },
            },
        ]);
    }

    /// Fills the polygon through `points`.
    pub fn fill(&mut self, points: &[(f32, f32)], ink: Rgb3) {
        if points.len() < 3 {
            return;
        }
        self.ops.extend([
            Op::SetFillColor { col: color(ink) },
            Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing { points: points.iter().map(|&(x, y)| point(x, y)).collect() }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            },
        ]);
    }

    /// Fills the rectangle with its lower left corner at (x, y).
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, ink: Rgb3) {
        self.fill(&[(x, y), (x + width, y), (x + width, y + height), (x, y + height)], ink);
    }

    /// Every page's operations, the current one last, each with its footer: `footer` on the left
    /// and "Page i of n" on the right.
    pub fn finish(mut self, footer: &str) -> Vec<Vec<Op>> {
        self.done.push(std::mem::take(&mut self.ops));
        let pages = std::mem::take(&mut self.done);
        let count = pages.len();
        let footer = self.typeface.fit(footer, 7.5, Weight::Regular, PAGE_WIDTH / 2.0);
        pages
            .into_iter()
            .enumerate()
            .map(|(i, page)| {
                self.ops = page;
                let y = MARGIN - 18.0;
                self.polyline(&[(MARGIN, y + 10.0), (PAGE_WIDTH - MARGIN, y + 10.0)], FAINT, 0.5, false);
                self.text(MARGIN, y, 7.5, Weight::Regular, MUTED, &footer);
                let number = format!("Page {} of {count}", i + 1);
                self.text_right(PAGE_WIDTH - MARGIN, y, 7.5, Weight::Regular, MUTED, &number);
                std::mem::take(&mut self.ops)
            })
            .collect()
    }
}
