//! Lays out the text blocks of a report: the title block, figure groups (two columns of label
//! and value) and tables (measured columns, a header row repeated on every page they span,
//! numbers right aligned). Figures are written exactly as the document gives them.

use domain::reports::{FigureGroup, ReportDocument, Table};
use rust_decimal::Decimal;
use time::macros::format_description;

use super::canvas::{Canvas, FAINT, INK, MARGIN, MUTED, PAGE_WIDTH};
use super::fonts::Weight;

const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const HEADING: f32 = 12.0;
const ROW: f32 = 13.0;
const CELL_PAD: f32 = 6.0;

/// The title, the subtitle lines and a rule.
pub fn title_block(canvas: &mut Canvas, doc: &ReportDocument) {
    let s = &doc.subtitle;
    let generated =
        s.generated_at.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default();
    let mut y = canvas.y - 20.0;
    canvas.text(MARGIN, y, 20.0, Weight::Bold, INK, &doc.title);
    y -= 18.0;
    for line in [
        format!("User: {}    Plan: {}", s.user, s.plan),
        format!("Window: {}", s.window),
        format!("Generated: {generated}"),
    ] {
        canvas.text(MARGIN, y, 9.0, Weight::Regular, MUTED, &line);
        y -= 12.0;
    }
    canvas.polyline(&[(MARGIN, y + 4.0), (PAGE_WIDTH - MARGIN, y + 4.0)], INK, 0.8, false);
    canvas.y = y - 12.0;
}

/// A section heading, kept on the page with at least `following` points of what it heads.
fn heading(canvas: &mut Canvas, text: &str, following: f32) {
    canvas.ensure_space(HEADING + 10.0 + following);
    canvas.text(MARGIN, canvas.y - HEADING, HEADING, Weight::Bold, INK, text);
    canvas.y -= HEADING + 10.0;
}

/// Figures in two columns, label left and value right aligned in each column.
pub fn figures(canvas: &mut Canvas, group: &FigureGroup) {
    heading(canvas, &group.heading, ROW);
    let column = CONTENT_WIDTH / 2.0;
    for pair in group.figures.chunks(2) {
        canvas.ensure_space(ROW);
        let y = canvas.y - 9.0;
        for (i, figure) in pair.iter().enumerate() {
            let x = MARGIN + column * i as f32;
            let value_width = canvas.typeface().width(&figure.value, 9.0, Weight::Bold);
            let label = canvas.typeface().fit(&figure.label, 9.0, Weight::Regular, column - value_width - 24.0);
            canvas.text(x, y, 9.0, Weight::Regular, MUTED, &label);
            canvas.text_right(x + column - 16.0, y, 9.0, Weight::Bold, INK, &figure.value);
        }
        canvas.y -= ROW + 2.0;
    }
    canvas.y -= 10.0;
}

/// Whether a cell reads as a number (right aligned, like a spreadsheet).
fn numeric(cell: &str) -> bool {
    cell.trim_end_matches('%').parse::<Decimal>().is_ok()
}

/// A table, its header row repeated on each page; columns sized to their widest cell, the font
/// shrunk (down to 6 pt) when the table would be wider than the page.
pub fn table(canvas: &mut Canvas, table: &Table) {
    let natural = |size: f32| -> Vec<f32> {
        let t = canvas.typeface();
        (0..table.headers().len())
            .map(|c| {
                let head = t.width(&table.headers()[c], size, Weight::Bold);
                table.rows().iter().map(|r| t.width(&r[c], size, Weight::Regular)).fold(head, f32::max) + 2.0 * CELL_PAD
            })
            .collect()
    };
    let total = natural(8.0).iter().sum::<f32>();
    let size = if total > CONTENT_WIDTH { (8.0 * CONTENT_WIDTH / total).max(6.0) } else { 8.0 };
    let mut widths = natural(size);
    let spare = (CONTENT_WIDTH - widths.iter().sum::<f32>()).max(0.0) / widths.len() as f32;
    widths.iter_mut().for_each(|w| *w += spare.min(40.0));
    // a column of numbers is right aligned, its header too, like a spreadsheet
    let right: Vec<bool> =
        (0..widths.len()).map(|c| !table.rows().is_empty() && table.rows().iter().all(|r| numeric(&r[c]))).collect();
    let columns = Columns { widths: &widths, right: &right, size };
    heading(canvas, table.heading(), 2.0 * ROW);
    header_row(canvas, table, &columns);
    if table.rows().is_empty() {
        canvas.text(MARGIN + CELL_PAD, canvas.y - 9.0, size, Weight::Regular, MUTED, "No rows for this period");
        canvas.y -= ROW;
    }
    for (n, row) in table.rows().iter().enumerate() {
        if canvas.y - ROW < super::canvas::CONTENT_BOTTOM {
            canvas.new_page();
            header_row(canvas, table, &columns);
        }
        if n % 2 == 1 {
            canvas.rect(MARGIN, canvas.y - ROW, widths.iter().sum(), ROW, FAINT);
        }
        cells(canvas, row, &columns, Weight::Regular);
    }
    canvas.y -= 14.0;
}

/// A table's column geometry: widths, which are right aligned, the font size.
struct Columns<'a> {
    widths: &'a [f32],
    right: &'a [bool],
    size: f32,
}

fn header_row(canvas: &mut Canvas, table: &Table, columns: &Columns) {
    let (left, right, y) = (MARGIN, MARGIN + columns.widths.iter().sum::<f32>(), canvas.y - ROW - 1.0);
    canvas.polyline(&[(left, y), (right, y)], INK, 0.6, false);
    cells(canvas, table.headers(), columns, Weight::Bold);
    canvas.y -= 2.0;
}

fn cells(canvas: &mut Canvas, row: &[String], columns: &Columns, weight: Weight) {
    let y = canvas.y - 9.0;
    let ink = if weight == Weight::Bold { MUTED } else { INK };
    let mut x = MARGIN;
    for ((cell, width), right) in row.iter().zip(columns.widths).zip(columns.right) {
        if *right {
            canvas.text_right(x + width - CELL_PAD, y, columns.size, weight, ink, cell);
        } else {
            canvas.text(x + CELL_PAD, y, columns.size, weight, ink, cell);
        }
        x += width;
    }
    canvas.y -= ROW;
}
