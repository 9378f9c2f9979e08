//! `/backoffice/api/users` and `/backoffice/api/users/export`: the user list with its filters
//! (account status, e-mail prefix, creation window, plan, subscription status, running bots,
//! live or paper) and sorting, as JSON pages and as CSV.

use actix_web::{get, web, HttpResponse};
use application::backoffice::{UserListQuery, UserSort};
use domain::identity::{User, UserFilter};
use domain::PageRequest;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::audit::instant;
use super::csv_export::{cell, CsvExport, EXPORT_MAX_ROWS};
use super::users::BackofficeUser;
use super::TAG;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::{invalid_query, page_of};
use crate::routes::page::Page;
use crate::routes::wire::{Plan, SubscriptionStatus, TradingMode, UserStatus};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_list_users).service(bo_export_users);
}

/// The user list's filters, sorting and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users in this state.
    #[param(value_type = Option<UserStatus>)]
    pub status: Option<String>,
    /// Only users whose e-mail starts with this (compared in lower case).
    #[param(min_length = 1, max_length = 254)]
    pub email_prefix: Option<String>,
    /// Only users created at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub created_from: Option<String>,
    /// Only users created before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub created_to: Option<String>,
    /// Only users on this plan.
    #[param(value_type = Option<Plan>)]
    pub plan: Option<String>,
    /// Only users whose subscription is in this state.
    #[param(value_type = Option<SubscriptionStatus>)]
    pub subscription_status: Option<String>,
    /// `true`: only users with a running bot; `false`: only users without one.
    #[param(value_type = Option<bool>)]
    pub has_running_bots: Option<String>,
    /// Only users with a trading context in this mode (`live`: they trade real money).
    #[param(value_type = Option<TradingMode>)]
    pub mode: Option<String>,
    /// `created_asc` (default), `created_desc` or `email_asc`.
    #[param(pattern = "^(created_asc|created_desc|email_asc)$")]
    pub sort: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// An optional wire-named value (`FREE`, `past_due`, `live`) read as the domain type.
fn named<T: DeserializeOwned>(field: &str, raw: Option<&str>, expected: &str) -> Result<Option<T>, ApiError> {
    raw.map(|raw| {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| invalid_query(field, expected))
    })
    .transpose()
}

fn user_query(p: &UserListParams) -> Result<UserListQuery, ApiError> {
    let sort = match p.sort.as_deref() {
        None | Some("created_asc") => UserSort::CreatedAsc,
        Some("created_desc") => UserSort::CreatedDesc,
        Some("email_asc") => UserSort::EmailAsc,
        Some(_) => return Err(invalid_query("sort", "one of `created_asc`, `created_desc`, `email_asc`")),
    };
    let email_prefix = match p.email_prefix.as_deref().map(str::trim) {
        Some("") => return Err(invalid_query("email_prefix", "1 to 254 characters")),
        Some(prefix) if prefix.chars().count() > 254 => {
            return Err(invalid_query("email_prefix", "1 to 254 characters"))
        }
        other => other.map(str::to_lowercase),
    };
    let has_running_bots = match p.has_running_bots.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(invalid_query("has_running_bots", "`true` or `false`")),
    };
    let statuses = "one of `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete`, `paused`";
    Ok(UserListQuery {
        users: UserFilter {
            status: named("status", p.status.as_deref(), "one of `active`, `blocked`, `deleted`")?,
            email_prefix,
            created_from: instant("created_from", p.created_from.as_deref())?,
            created_to: instant("created_to", p.created_to.as_deref())?,
            sort,
            ..UserFilter::default()
        },
        plan: named("plan", p.plan.as_deref(), "one of `FREE`, `PRO`, `MAX`")?,
        subscription_status: named("subscription_status", p.subscription_status.as_deref(), statuses)?,
        has_running_bots,
        mode: named("mode", p.mode.as_deref(), "`live` or `paper`")?,
    })
}

/// Users, filtered and sorted, however many match: an index serves each filter and order on
/// both stores (the plan, subscription, running-bots and mode filters through the user facets
/// kept beside each user). `plan=FREE` includes users who never subscribed. Counts against the
/// operator's list limit (60 a minute).
#[utoipa::path(
    tag = TAG,
    params(UserListParams),
    responses((status = 200, description = "A page of users", body = Page<BackofficeUser>))
)]
#[get("/backoffice/api/users")]
pub async fn bo_list_users(
    state: web::Data<AppState>,
    params: Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_of(params.offset, params.limit)?;
    let users = state.backoffice.list_users(&user_query(&params)?, page).await?;
    Ok(HttpResponse::Ok().json(Page::<BackofficeUser>::from(users)))
}

/// The columns of the user-list CSV.
const COLUMNS: [&str; 6] = ["id", "email", "name", "status", "email_verified", "created_at"];

fn row(u: User) -> [String; 6] {
    let user = BackofficeUser::from(u);
    let status = serde_json::to_value(user.status).ok().and_then(|v| v.as_str().map(str::to_owned));
    [
        user.id,
        cell(&user.email),
        cell(&user.name),
        status.unwrap_or_default(),
        user.email_verified.to_string(),
        user.created_at.format(&Rfc3339).unwrap_or_default(),
    ]
}

/// The user list as CSV (RFC 4180, CRLF; the same filters and order as the list), at most
/// 10,000 rows: narrow it with the filters (ADMIN and up). `offset` and `limit` are not used.
#[utoipa::path(
    tag = TAG,
    params(UserListParams),
    responses((status = 200, description = "The users as CSV", body = String, content_type = "text/csv"))
)]
#[get("/backoffice/api/users/export")]
pub async fn bo_export_users(
    state: web::Data<AppState>,
    params: Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(params.offset, params.limit)?;
    let query = user_query(&params)?;
    let mut csv = CsvExport::new(&COLUMNS)?;
    let mut offset = 0;
    while offset < EXPORT_MAX_ROWS {
        let page = state.backoffice.list_users(&query, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await?;
        let read = page.items.len() as u64;
        for user in page.items {
            csv.row(row(user))?;
        }
        offset += read;
        if read < PageRequest::MAX_LIMIT {
            break;
        }
    }
    csv.respond("backoffice-users.csv")
}
