//! Charts drawn as vector paths: a line (or area) chart of series over time and a bar chart,
//! each with a title, a legend, a value axis with nice ticks and a dashed grid, a date (or
//! category) axis, and a readable "No data" when there is nothing to draw.

use domain::reports::{BarChart, ChartStyle, LineChart};
use rust_decimal::prelude::ToPrimitive;

use super::canvas::{Canvas, Rgb3, FAINT, INK, MARGIN, MUTED, PAGE_WIDTH};
use super::fonts::Weight;
use super::scale::{time_ticks, value_axis};

/// What a chart says when it has nothing to draw.
pub const NO_DATA: &str = "No data for this period";
/// The height a chart takes on the page, title to date labels.
pub const CHART_HEIGHT: f32 = 236.0;
const PLOT_HEIGHT: f32 = 160.0;
/// Series colours, in order: blue, orange, green, purple, grey.
const PALETTE: [Rgb3; 5] =
    [(0.12, 0.40, 0.75), (0.93, 0.49, 0.10), (0.17, 0.60, 0.30), (0.55, 0.30, 0.70), (0.45, 0.45, 0.45)];
const GAIN: Rgb3 = (0.17, 0.60, 0.30);
const LOSS: Rgb3 = (0.80, 0.20, 0.20);

/// The plot rectangle of a chart whose title sits at the cursor.
struct Plot {
    left: f32,
    right: f32,
    bottom: f32,
    top: f32,
}

impl Plot {
    /// Draws the title, the value-axis label and the frame; the legend goes between them.
    fn open(canvas: &mut Canvas, title: &str, y_label: &str) -> Self {
        canvas.ensure_space(CHART_HEIGHT);
        let y = canvas.y;
        canvas.text(MARGIN, y - 14.0, 12.0, Weight::Bold, INK, title);
        canvas.text(MARGIN, y - 44.0, 8.0, Weight::Regular, MUTED, y_label);
        let top = y - 52.0;
        Self { left: MARGIN + 52.0, right: PAGE_WIDTH - MARGIN - 8.0, bottom: top - PLOT_HEIGHT, top }
    }

    /// Value grid and ticks for [lo, hi]; the mapping from a value to y.
    fn value_axis(&self, canvas: &mut Canvas, lo: f64, hi: f64) -> impl Fn(f64) -> f32 {
        let axis = value_axis(lo, hi, 5);
        let (bottom, height) = (self.bottom, self.top - self.bottom);
        let span = axis.max - axis.min;
        let min = axis.min;
        let y_of = move |v: f64| bottom + ((v - min) / span) as f32 * height;
        for (v, label) in &axis.ticks {
            let y = y_of(*v);
            let (ink, dashed) = if *v == 0.0 { (MUTED, false) } else { (FAINT, true) };
            canvas.polyline(&[(self.left, y), (self.right, y)], ink, 0.5, dashed);
            canvas.text_right(self.left - 4.0, y - 2.5, 7.0, Weight::Regular, MUTED, label);
        }
        canvas.polyline(&[(self.left, self.top), (self.left, self.bottom), (self.right, self.bottom)], INK, 0.8, false);
        y_of
    }

    /// The frame with "No data" in its middle.
    fn no_data(&self, canvas: &mut Canvas) {
        let frame = [
            (self.left, self.bottom),
            (self.right, self.bottom),
            (self.right, self.top),
            (self.left, self.top),
            (self.left, self.bottom),
        ];
        canvas.polyline(&frame, FAINT, 0.8, false);
        let middle = (self.bottom + self.top) / 2.0;
        canvas.text_centred((self.left + self.right) / 2.0, middle, 11.0, Weight::Regular, MUTED, NO_DATA);
    }

    /// Moves the cursor below the chart.
    fn close(&self, canvas: &mut Canvas) {
        canvas.y = self.bottom - 24.0;
    }
}

/// Draws a legend entry per name, left to right, on the line under the title.
fn legend(canvas: &mut Canvas, top: f32, names: &[&str]) {
    let mut x = MARGIN;
    let y = top + 20.0;
    for (i, name) in names.iter().enumerate() {
        let ink = PALETTE[i % PALETTE.len()];
        canvas.rect(x, y, 14.0, 3.0, ink);
        let name = canvas.typeface().fit(name, 8.0, Weight::Regular, 160.0);
        canvas.text(x + 18.0, y - 1.0, 8.0, Weight::Regular, INK, &name);
        x += 30.0 + canvas.typeface().width(&name, 8.0, Weight::Regular);
    }
}

/// Draws a line chart at the cursor and moves the cursor below it.
pub fn line_chart(canvas: &mut Canvas, chart: &LineChart) {
    let plot = Plot::open(canvas, &chart.title, &chart.y_label);
    let points = chart.series.iter().flat_map(|s| s.points.iter());
    let (Some(first), Some(last)) = (points.clone().map(|p| p.at).min(), points.clone().map(|p| p.at).max()) else {
        plot.no_data(canvas);
        plot.close(canvas);
        return;
    };
    let values = points.filter_map(|p| p.value.to_f64());
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if chart.style == ChartStyle::Area {
        (lo, hi) = (lo.min(0.0), hi.max(0.0));
    }
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    legend(canvas, plot.top, &names);
    let y_of = plot.value_axis(canvas, lo, hi);
    let (t0, t1) = (first.unix_timestamp() as f64, last.unix_timestamp() as f64);
    let (left, width) = (plot.left + 6.0, plot.right - plot.left - 12.0);
    let x_of = |t: f64| if t1 > t0 { left + ((t - t0) / (t1 - t0)) as f32 * width } else { left + width / 2.0 };
    for (t, label) in time_ticks(first, last, 6) {
        let x = x_of(t);
        canvas.polyline(&[(x, plot.bottom), (x, plot.bottom - 3.0)], INK, 0.6, false);
        canvas.text_centred(x, plot.bottom - 12.0, 7.0, Weight::Regular, MUTED, &label);
    }
    for (i, series) in chart.series.iter().enumerate() {
        let ink = PALETTE[i % PALETTE.len()];
        let path: Vec<(f32, f32)> = series
            .points
            .iter()
            .filter_map(|p| Some((x_of(p.at.unix_timestamp() as f64), y_of(p.value.to_f64()?))))
            .collect();
        if chart.style == ChartStyle::Area && path.len() > 1 {
            let zero = y_of(0.0);
            let mut area = path.clone();
            area.extend([(path[path.len() - 1].0, zero), (path[0].0, zero)]);
            canvas.fill(&area, tint(ink));
        }
        if let [(x, y)] = path[..] {
            canvas.rect(x - 2.0, y - 2.0, 4.0, 4.0, ink);
        }
        canvas.polyline(&path, ink, 1.2, false);
    }
    plot.close(canvas);
}

/// A light version of a colour, for areas.
fn tint(c: Rgb3) -> Rgb3 {
    (0.75 + c.0 * 0.25, 0.75 + c.1 * 0.25, 0.75 + c.2 * 0.25)
}

/// Draws a bar chart at the cursor (each bar labelled with its exact value) and moves the cursor
/// below it.
pub fn bar_chart(canvas: &mut Canvas, chart: &BarChart) {
    let plot = Plot::open(canvas, &chart.title, &chart.y_label);
    if chart.bars.is_empty() {
        plot.no_data(canvas);
        plot.close(canvas);
        return;
    }
    let values: Vec<f64> = chart.bars.iter().map(|b| b.value.to_f64().unwrap_or(0.0)).collect();
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let y_of = plot.value_axis(canvas, lo, hi);
    let slot = (plot.right - plot.left) / chart.bars.len() as f32;
    let bar = (slot * 0.6).min(60.0);
    let zero = y_of(0.0);
    for (i, (b, v)) in chart.bars.iter().zip(&values).enumerate() {
        let centre = plot.left + slot * (i as f32 + 0.5);
        let y = y_of(*v);
        let ink = if *v < 0.0 { LOSS } else { GAIN };
        canvas.rect(centre - bar / 2.0, zero.min(y), bar, (y - zero).abs().max(0.5), ink);
        let label_y = if *v < 0.0 { y - 9.0 } else { y + 3.0 };
        canvas.text_centred(centre, label_y, 7.0, Weight::Regular, INK, &b.value.to_string());
        let name = canvas.typeface().fit(&b.label, 7.0, Weight::Regular, slot - 4.0);
        canvas.text_centred(centre, plot.bottom - 12.0, 7.0, Weight::Regular, MUTED, &name);
    }
    plot.close(canvas);
}
