//! `GET /api/exports/report.pdf` end to end, on both stores, with a fast clock: a MAX user's
//! paper SmartBot trades the paper exchange's replay of real candles, then the PDF is read back
//! with poppler (`pdftotext`, `pdftoppm`; Debian `poppler-utils`, which scripts/test.sh installs):
//! it carries the figures exactly as `GET /api/dashboard/summary`, `GET /api/dashboard/performance`
//! and `GET /api/dashboard/metrics` write them, and every page draws. PRO gets 402 `plan_pdf_reports`;
//! a bad window is a 400 naming it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{bot, command, create_bot, trader, OPS_TOKEN};
use domain::subscriptions::Plan;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(the_max_report_carries_the_dashboard_figures_and_every_page_draws);

fn smart() -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "2000", "max_open_positions": 3,
        "risk": {"take_profit_percent": "0.3", "stop_loss_hard_percent": "0.6"},
        "circuit_breaker": {"preset": "off"}})
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not run ({e}): install the Debian package poppler-utils (scripts/test.sh does)")
    });
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("poppler writes UTF-8")
}

/// The PDF's bytes, after checking its status and headers.
async fn report(app: &TestApp, user: &Session, query: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/exports/report.pdf{query}")))
        .bearer_auth(&user.access)
        .send()
        .await
        .expect("the report answers");
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(header("content-type"), "application/pdf");
    assert!(header("content-disposition").starts_with("attachment"), "{}", header("content-disposition"));
    response.bytes().await.expect("a body").to_vec()
}

/// Rasterises every page and checks there is one image per page.
fn every_page_draws(path: &str, dir: &Path) {
    let info = poppler("pdfinfo", &[path]);
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("Pages:").trim().parse().unwrap();
    poppler("pdftoppm", &["-png", "-r", "20", path, dir.join("page").to_str().unwrap()]);
    let images =
        std::fs::read_dir(dir).unwrap().filter(|e| e.as_ref().unwrap().path().extension() == Some("png".as_ref()));
    assert_eq!((pages > 0, images.count()), (true, pages), "one image per page");
}

async fn the_max_report_carries_the_dashboard_figures_and_every_page_draws(store: Store) {
    let extra = [
        ("BOTFLEET_CLOCK_SPEED", "14400"),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    let (app, repos) = spawn_with_repositories(settings(store, &extra)).await;
    let (pro, _) = trader(&app, &repos, "pro@example.com", Plan::Pro).await;
    let refused = app.get("/api/exports/report.pdf", Some(&pro.access)).await;
    assert_eq!(refused.problem(402, "plan_pdf_reports")["upgrade_to"], "MAX");

    let (max, ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let bad = app.get("/api/exports/report.pdf?window=14d", Some(&max.access)).await;
    assert!(bad.problem(400, "invalid_query")["detail"].as_str().unwrap().contains("`window`"));
    let id = create_bot(&app, &max, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
    command(&app, &max, &id, "start").await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let metrics = app.get("/api/dashboard/metrics?window=all", Some(&max.access)).await.ok(200).clone();
        if metrics["books"][0]["trades"].as_u64().unwrap_or(0) >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "gave up waiting for trades: {metrics}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    loop {
        let answer = app.post(&format!("/api/bots/{id}/stop"), Some(&max.access), &json!({})).await;
        assert!(answer.status == 200 || answer.status == 409, "stop: {}", answer.status);
        let b = bot(&app, &max, &id).await;
        if b["status"] == "stopped" && b["pending_orders"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "gave up waiting for the bot to stop");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, report(&app, &max, "?window=all").await).unwrap();
    let path = path.to_str().unwrap();
    let text = poppler("pdftotext", &["-enc", "UTF-8", path, "-"]);
    // Figures that do not move with the clock once the bot has stopped (the ratios and the last
    // equity point do: the fast clock adds days between two reads).
    let metrics = app.get("/api/dashboard/metrics?window=all", Some(&max.access)).await.ok(200).clone();
    let perf = app.get("/api/dashboard/performance?window=all", Some(&max.access)).await.ok(200).clone();
    let summary = app.get("/api/dashboard/summary", Some(&max.access)).await.ok(200).clone();
    let (m, book) = (&metrics["books"][0], &perf["books"][0]);
    let (s, smart) =
        (&summary["currencies"][0]["summary"], &summary["currencies"][0]["performance_by_strategy"]["smart"]);
    let mut shown = vec![("capital", &book["capital"]), ("realized_pnl", &book["realized_pnl"])];
    for figure in ["total_invested", "total_in_positions", "realized_pnl", "fees_paid", "win_rate", "trades"] {
        shown.push((figure, &s[figure]));
    }
    shown.push(("smart realized_pnl", &smart["realized_pnl"]));
    for figure in ["trades", "wins", "win_rate", "profit_factor", "gross_profit", "gross_loss", "expectancy"] {
        shown.push((figure, &m[figure]));
    }
    shown.push(("best_trade", &m["best_trade"]["realized_profit"]));
    shown.push(("worst_trade", &m["worst_trade"]["realized_profit"]));
    for (figure, value) in shown {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        assert!(value != "null", "{figure} has a value after trades: {m}");
        assert!(text.contains(&value), "the PDF lacks {figure} = {value}:\n{text}");
    }
    assert!(text.contains("User: max@example.com"), "the report names its reader by e-mail:\n{text}");
    assert!(!text.contains(&max.user_id), "never by their id:\n{text}");
    assert!(text.contains("Equity against BTC") && text.contains("BTC-BRL buy and hold"), "{text}");
    assert!(text.contains("Drawdown"), "{text}");
    assert!(text.contains("Per strategy") && text.contains("Realized P&L per strategy"), "{text}");
    every_page_draws(path, dir.path());
}
