//! The backoffice audit trail: recording each request, reading it, and the retention that
//! removes entries older than a year.

use domain::backoffice::{OperatorAuditEntry, OperatorAuditFilter};
use domain::{Page, PageRequest};

use super::{Backoffice, BackofficeError};

/// How long audit entries are kept.
pub const AUDIT_RETENTION: time::Duration = time::Duration::days(365);

/// Entries one retention run deletes at most per batch.
const EXPIRY_BATCH: u64 = 1000;

impl Backoffice {
    /// Appends `entry` to the trail.
    pub async fn record(&self, entry: &OperatorAuditEntry) -> Result<(), BackofficeError> {
        Ok(self.ports.audit.append(entry).await?)
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_trail(
        &self,
        filter: &OperatorAuditFilter,
        page: PageRequest,
    ) -> Result<Page<OperatorAuditEntry>, BackofficeError> {
        Ok(self.ports.audit.list(filter, page).await?)
    }

    /// The retention workflow: deletes audit entries older than [`AUDIT_RETENTION`], expired
    /// sessions and rate-limit hits older than a day. Returns a summary.
    pub async fn expire(&self) -> Result<String, BackofficeError> {
        let now = self.ports.clock.now();
        let mut audit = 0;
        loop {
            let deleted = self.ports.audit.delete_older_than(now - AUDIT_RETENTION, EXPIRY_BATCH).await?;
            audit += deleted;
            if deleted < EXPIRY_BATCH {
                break;
            }
        }
        let sessions = self.ports.sessions.delete_expired(now).await?;
        let mut hits = 0;
        loop {
            // Each call deletes a bounded batch; the window is a day, so this ends.
            let deleted = self.ports.hits.delete_older_than(now - time::Duration::days(1)).await?;
            hits += deleted;
            if deleted == 0 {
                break;
            }
        }
        Ok(format!("{audit} audit entries, {sessions} sessions, {hits} rate-limit hits expired"))
    }
}
