//! `GET /api/exports/report.pdf` (MAX): the PDF report of the caller's books (figures, advanced
//! metrics, equity against BTC buy-and-hold, drawdown) over a window cut to the plan's history.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::performance::window_of;
use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::query::Query;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_report_pdf);
}

/// The window of the report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `7d`, `30d` (default), `90d`, `1y` or `all`, as for the performance series.
    #[param(pattern = "^(7d|30d|90d|1y|all)$")]
    pub window: Option<String>,
}

/// A PDF file (A4 pages).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(pub Vec<u8>);

/// The caller's PDF report (MAX): per book (mode, exchange, quote currency) its figures, its
/// advanced metrics, its equity against BTC buy-and-hold and its drawdown, as real charts.
#[utoipa::path(
    tag = TAG,
    params(ReportParams),
    responses((status = 200, description = "The report, as an attachment", content_type = "application/pdf", body = PdfFile))
)]
#[get("/api/exports/report.pdf")]
pub async fn get_report_pdf(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let window = window_of(params.into_inner().window.as_deref())?;
    let pdf = state.pdf_report.report_pdf(auth.0.user_id, window).await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename("botfleet-report.pdf".to_owned())],
    };
    Ok(HttpResponse::Ok().content_type("application/pdf").insert_header(disposition).body(pdf))
}
