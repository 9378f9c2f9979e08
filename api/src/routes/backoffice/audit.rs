//! `/backoffice/api/audit`: the backoffice audit trail (every backoffice request, reads
//! included), as JSON pages and as a CSV export. There is no route that edits or deletes it.

use actix_web::{get, web, HttpResponse};
use domain::backoffice::{OperatorAuditEntry, OperatorAuditFilter};
use domain::shared::ids::OperatorId;
use domain::PageRequest;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::csv_export::{cell, CsvExport, EXPORT_MAX_ROWS};
use super::TAG;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::{invalid_query, page_of};
use crate::routes::page::Page;
use crate::routes::wire::{AuditOutcome, Id, OperatorRole};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_list_audit).service(bo_export_audit);
}

/// One audited backoffice request. Holds no secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// The operator, when the request was authenticated (or the login succeeded).
    #[schema(value_type = Option<String>)]
    pub operator_id: Option<String>,
    /// The operator's e-mail, or the e-mail a login tried.
    pub operator_email: Option<String>,
    /// The operator's role then.
    pub role: Option<OperatorRole>,
    /// The route's action (`users.block`).
    pub action: String,
    /// What it was about (`user:<id>`).
    pub target: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
    /// How it ended.
    pub outcome: AuditOutcome,
}

impl From<OperatorAuditEntry> for AuditEntryResponse {
    fn from(e: OperatorAuditEntry) -> Self {
        Self {
            id: e.id.to_string(),
            at: e.at,
            operator_id: e.operator_id.map(|id| id.to_string()),
            operator_email: e.operator_email,
            role: e.role.map(Into::into),
            action: e.action,
            target: e.target,
            ip: e.ip,
            user_agent: e.user_agent,
            status: e.status,
            outcome: e.outcome.into(),
        }
    }
}

/// The audit trail's filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this operator's requests.
    #[param(value_type = Option<Id>)]
    pub operator_id: Option<String>,
    /// Only requests about this target (`user:<id>`).
    #[param(min_length = 1, max_length = 100)]
    pub target: Option<String>,
    /// Only this action (`users.block`).
    #[param(min_length = 1, max_length = 64)]
    pub action: Option<String>,
    /// At or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

fn text(field: &str, value: Option<&String>, max: usize) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if v.is_empty() || v.chars().count() > max => {
            Err(invalid_query(field, &format!("1 to {max} characters")))
        }
        other => Ok(other.cloned()),
    }
}

/// An optional RFC 3339 query parameter; a bad one is refused naming `field`.
pub(super) fn instant(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    value
        .map(|v| OffsetDateTime::parse(v, &Rfc3339).map_err(|_| invalid_query(field, "an RFC 3339 instant")))
        .transpose()
}

fn filter(p: &AuditParams) -> Result<OperatorAuditFilter, ApiError> {
    let operator_id = p
        .operator_id
        .as_deref()
        .map(|raw| OperatorId::parse(raw).ok_or_else(|| invalid_query("operator_id", "an operator id (ULID)")))
        .transpose()?;
    Ok(OperatorAuditFilter {
        operator_id,
        target: text("target", p.target.as_ref(), 100)?,
        action: text("action", p.action.as_ref(), 64)?,
        from: instant("from", p.from.as_deref())?,
        to: instant("to", p.to.as_deref())?,
    })
}

/// The audit trail, newest first (ADMIN and up). Counts against the list limit.
#[utoipa::path(
    tag = TAG,
    params(AuditParams),
    responses((status = 200, description = "A page of entries", body = Page<AuditEntryResponse>))
)]
#[get("/backoffice/api/audit")]
pub async fn bo_list_audit(state: web::Data<AppState>, params: Query<AuditParams>) -> Result<HttpResponse, ApiError> {
    let page = page_of(params.offset, params.limit)?;
    let entries = state.backoffice.audit_trail(&filter(&params)?, page).await?;
    Ok(HttpResponse::Ok().json(Page::<AuditEntryResponse>::from(entries)))
}

/// The columns of the audit CSV.
const COLUMNS: [&str; 11] =
    ["id", "at", "operator_id", "operator_email", "role", "action", "target", "ip", "user_agent", "status", "outcome"];

fn row(e: &OperatorAuditEntry) -> [String; 11] {
    let at = e.at.format(&Rfc3339).unwrap_or_default();
    let outcome = serde_json::to_value(AuditOutcome::from(e.outcome)).ok();
    let role = e.role.map(|r| r.as_str()).unwrap_or_default();
    [
        e.id.to_string(),
        at,
        e.operator_id.map(|id| id.to_string()).unwrap_or_default(),
        cell(e.operator_email.as_deref().unwrap_or_default()),
        role.to_owned(),
        e.action.clone(),
        cell(e.target.as_deref().unwrap_or_default()),
        e.ip.clone().unwrap_or_default(),
        cell(e.user_agent.as_deref().unwrap_or_default()),
        e.status.to_string(),
        outcome.and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
    ]
}

/// The audit trail as CSV (RFC 4180, CRLF), newest first, at most 10,000 rows: narrow it with
/// `from` and `to` (ADMIN and up). `offset` and `limit` are not used.
#[utoipa::path(
    tag = TAG,
    params(AuditParams),
    responses((status = 200, description = "The entries as CSV", body = String, content_type = "text/csv"))
)]
#[get("/backoffice/api/audit/export")]
pub async fn bo_export_audit(state: web::Data<AppState>, params: Query<AuditParams>) -> Result<HttpResponse, ApiError> {
    let filter = filter(&params)?;
    let mut csv = CsvExport::new(&COLUMNS)?;
    let mut offset = 0;
    while offset < EXPORT_MAX_ROWS {
        let page = state.backoffice.audit_trail(&filter, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await?;
        for entry in &page.items {
            csv.row(row(entry))?;
        }
        offset += page.items.len() as u64;
        if (page.items.len() as u64) < PageRequest::MAX_LIMIT {
            break;
        }
    }
    csv.respond("backoffice-audit.csv")
}
