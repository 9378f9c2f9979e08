//! The PDF renderer checked from the outside with poppler: `pdftotext` must read back every
//! heading and figure exactly as the document wrote it, and `pdftoppm` must draw every page.
//! poppler-utils is a Debian package that `scripts/test.sh` installs; these tests fail, never
//! skip, without it.

use std::path::Path;
use std::process::Command;

use domain::reports::{
    BarChart, ChartPoint, ChartSeries, ChartStyle, LineChart, ReportDocument, ReportRenderer, Section,
};
use rust_decimal_macros::dec;
use time::macros::datetime;

use super::{fixtures, PdfReportRenderer, NO_DATA};

/// Runs a poppler tool, failing with what to install when it is missing.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not run ({e}): install the Debian package poppler-utils (scripts/test.sh does)")
    });
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("poppler writes UTF-8")
}

/// Renders `doc` into `dir` and returns its path and extracted text.
fn render(doc: &ReportDocument, dir: &Path) -> (String, String) {
    let bytes = PdfReportRenderer::new().unwrap().render_pdf(doc).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let path = dir.join("report.pdf");
    std::fs::write(&path, bytes).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let text = poppler("pdftotext", &["-enc", "UTF-8", &path, "-"]);
    (path, text)
}

/// Every string the document shows: headings, labels, figures, table cells, legend names.
fn strings_of(doc: &ReportDocument) -> Vec<String> {
    let mut all =
        vec![doc.title.clone(), doc.subtitle.user.clone(), doc.subtitle.plan.clone(), doc.subtitle.window.clone()];
    for section in &doc.sections {
        match section {
            Section::Figures(g) => {
                all.push(g.heading.clone());
                all.extend(g.figures.iter().flat_map(|f| [f.label.clone(), f.value.clone()]));
            }
            Section::Table(t) => {
                all.push(t.heading().to_owned());
                all.extend(t.headers().iter().cloned());
                all.extend(t.rows().iter().flatten().cloned());
            }
            Section::LineChart(c) => {
                all.extend([c.title.clone(), c.y_label.clone()]);
                all.extend(c.series.iter().map(|s| s.name.clone()));
            }
            Section::BarChart(c) => {
                all.extend([c.title.clone(), c.y_label.clone()]);
                all.extend(c.bars.iter().flat_map(|b| [b.label.clone(), b.value.to_string()]));
            }
        }
    }
    all
}

fn page_count(path: &str) -> usize {
    let info = poppler("pdfinfo", &[path]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo prints Pages:");
    line["Pages:".len()..].trim().parse().unwrap()
}

/// Rasterises every page at 30 dpi and checks each image has ink on it.
fn check_pages_draw(path: &str, dir: &Path, pages: usize) {
    let prefix = dir.join("page");
    poppler("pdftoppm", &["-png", "-r", "30", path, prefix.to_str().unwrap()]);
    let mut images: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    images.sort();
    assert_eq!(images.len(), pages, "one image per page");
    for image in images {
        let size = std::fs::metadata(&image).unwrap().len();
        // a blank A4 page at 30 dpi compresses to a few hundred bytes
        assert!(size > 1_500, "{} looks blank ({size} bytes)", image.display());
    }
}

#[test]
fn the_sample_report_reads_back_exactly_and_draws_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let doc = fixtures::sample();
    let (path, text) = render(&doc, dir.path());
    for expected in strings_of(&doc) {
        assert!(text.contains(&expected), "{expected:?} is missing from the extracted text:\n{text}");
    }
    for figure in ["2986.85", "-112.40", "58.33", "-1176.30", "-230.75", "1842.50", "Generated: 2026-12-04 18:30 UTC"] {
        assert!(text.contains(figure), "{figure:?} is missing");
    }
    let pages = page_count(&path);
    assert!(pages >= 2, "summary, three charts and two tables do not fit one page");
    for n in 1..=pages {
        assert!(text.contains(&format!("Page {n} of {pages}")), "page {n} is not numbered");
    }
    check_pages_draw(&path, dir.path(), pages);
}

#[test]
fn a_year_of_fifty_bots_flows_over_pages_with_the_table_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let doc = fixtures::sized(50, 365);
    let (path, text) = render(&doc, dir.path());
    for expected in strings_of(&doc) {
        assert!(text.contains(&expected), "{expected:?} is missing");
    }
    let pages = page_count(&path);
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    assert!(text.matches("Realized P&L").count() >= 4, "the bot table's header repeats on its second page");
    check_pages_draw(&path, dir.path(), pages);
}

fn chart(title: &str, style: ChartStyle, points: Vec<ChartPoint>) -> Section {
    Section::LineChart(LineChart {
        title: title.to_owned(),
        y_label: "USDT".to_owned(),
        style,
        series: vec![ChartSeries { name: format!("{title} series"), points }],
    })
}

#[test]
fn empty_single_and_negative_series_render_without_panic_and_say_no_data() {
    let at = datetime!(2026-03-01 12:00 UTC);
    let mut doc = fixtures::sample();
    doc.sections = vec![
        chart("Empty", ChartStyle::Lines, vec![]),
        chart("One point", ChartStyle::Lines, vec![ChartPoint { at, value: dec!(-5.5) }]),
        chart(
            "All negative",
            ChartStyle::Area,
            vec![ChartPoint { at, value: dec!(-3) }, ChartPoint { at: at + time::Duration::hours(5), value: dec!(-1) }],
        ),
        Section::BarChart(BarChart { title: "No bars".to_owned(), y_label: "USDT".to_owned(), bars: vec![] }),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (path, text) = render(&doc, dir.path());
    assert_eq!(text.matches(NO_DATA).count(), 2, "the empty line chart and the empty bar chart:\n{text}");
    for expected in ["One point", "All negative", "03-01 12:00", "-1.0", "-3.0"] {
        assert!(text.contains(expected), "{expected:?} is missing:\n{text}");
    }
    check_pages_draw(&path, dir.path(), page_count(&path));
}

#[test]
fn the_typeface_is_embedded_as_a_subset_not_whole() {
    let bytes = PdfReportRenderer::new().unwrap().render_pdf(&fixtures::sample()).unwrap();
    // each DejaVu face is about 740 KB, 370 KB compressed; the Latin subsets are a fraction
    assert!(bytes.len() < 250_000, "{} bytes", bytes.len());
}

/// `BOTFLEET_UPDATE_REPORT_SAMPLE=1 cargo test -p botfleet-infrastructure --lib reports::tests::sample_page`
/// redraws `docs/images/report-sample.png` (the sample's first page) for `docs/reports-pdf.md`.
#[test]
fn sample_page_image() {
    if std::env::var_os("BOTFLEET_UPDATE_REPORT_SAMPLE").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = render(&fixtures::sample(), dir.path());
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/images/report-sample");
    poppler("pdftoppm", &["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", &path, out]);
}
