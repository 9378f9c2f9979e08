//! Use case: export everything stored about the caller (LGPD access right), secrets excluded.

use domain::credentials::ExchangeCredential;
use domain::identity::{AuditAction, AuditEntry, AuditFilter, RefreshSession, RequestMeta};
use domain::shared::ids::UserId;
use domain::{Page, PageRequest, RepoError};

use super::{IdentityService, Profile};
use crate::AppError;

/// Everything we hold about a user, without password hashes, token hashes or API keys.
#[derive(Clone, Debug)]
pub struct UserExport {
    /// Account and consent.
    pub profile: Profile,
    /// Stored exchange credentials (metadata only).
    pub credentials: Vec<ExchangeCredential>,
    /// Login sessions (metadata only).
    pub sessions: Vec<RefreshSession>,
    /// Audit log entries about the user.
    pub audit: Vec<AuditEntry>,
}

impl IdentityService {
    /// Collects the caller's data.
    pub async fn export_data(&self, user_id: UserId, meta: &RequestMeta) -> Result<UserExport, AppError> {
        let profile = self.profile(user_id).await?;
        let credentials = collect(|page| self.ports.credentials.list(user_id, None, page)).await?;
        let sessions = collect(|page| self.ports.sessions.list_for_user(user_id, page)).await?;
        let all = AuditFilter::default();
        let audit = collect(|page| self.ports.audit.list_for_user(user_id, &all, page)).await?;
        self.audit(Some(user_id), AuditAction::DataExported, meta, None).await;
        Ok(UserExport { profile, credentials, sessions, audit })
    }
}

/// Reads every page of a list port.
async fn collect<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, RepoError>>,
{
    let mut items = Vec::new();
    loop {
        let page = fetch(PageRequest::new(items.len() as u64, PageRequest::MAX_LIMIT)).await?;
        let done = page.items.len() < PageRequest::MAX_LIMIT as usize;
        items.extend(page.items);
        if done {
            return Ok(items);
        }
    }
}
