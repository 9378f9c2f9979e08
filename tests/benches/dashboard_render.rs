//! Times the PDF renderer alone on the worst-case report of the dashboard benchmark: 50 bots'
//! rows and a year of daily points per series (`infrastructure::reports::fixtures::sized`).
//! `cargo bench -p botfleet-tests --bench dashboard_render [-- --runs N --out FILE]` prints the
//! best, median, p99 and worst of N renders (100 by default) and the PDF's size and pages;
//! `--out` keeps the last PDF. Under `cargo test` it renders a few times as a smoke test.

use std::time::{Duration, Instant};

use domain::reports::ReportRenderer;
use infrastructure::reports::{fixtures, PdfReportRenderer};

fn main() {
    let mut runs = 100usize;
    let mut out = None;
    let mut smoke = true;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).expect("--runs needs a number"),
            "--out" => out = Some(it.next().expect("--out needs a file")),
            "--bench" => smoke = false,
            _ => {}
        }
    }
    if smoke {
        runs = runs.min(3);
    }
    let started = Instant::now();
    let renderer = PdfReportRenderer::new().expect("the embedded typeface loads");
    let setup = started.elapsed();
    let document = fixtures::sized(50, 365);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut pdf = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        pdf = renderer.render_pdf(&document).expect("the fixture renders");
        times.push(t.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "dashboard_render: 50 bots, 365 days: {} runs, best {:.1} ms, median {:.1} ms, p99 {:.1} ms, worst {:.1} ms; \
         {} bytes; typeface load {:.1} ms",
        times.len(),
        at(0.0),
        at(0.5),
        at(0.99),
        at(1.0),
        pdf.len(),
        setup.as_secs_f64() * 1e3,
    );
    if let Some(out) = out {
        std::fs::write(&out, &pdf).expect("the PDF is written");
        println!("dashboard_render: wrote {out}");
    }
}
