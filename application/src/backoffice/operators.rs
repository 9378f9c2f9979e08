//! Operator management (SUPER_ADMIN): list, change a role, disable (every session ends at once),
//! reset TOTP (the operator enrols again). Creating reuses [`Backoffice::create_operator`], the
//! same use case as `botfleet operator create`. An operator cannot change or disable themselves,
//! so the last SUPER_ADMIN cannot lock everyone out by mistake.

use domain::backoffice::{Operator, OperatorRole};
use domain::shared::ids::OperatorId;
use domain::{Page, PageRequest, RepoError};

use super::{Backoffice, BackofficeError, Staff};

impl Backoffice {
    /// Every operator, by e-mail.
    pub async fn list_operators(&self, page: PageRequest) -> Result<Page<Operator>, BackofficeError> {
        Ok(self.ports.operators.list(page).await?)
    }

    /// Another operator than `actor`. Errors: `NotFound`, `SelfManagement` for oneself.
    async fn other_operator(&self, actor: &Staff, id: OperatorId) -> Result<Operator, BackofficeError> {
        if actor.operator.id == id {
            return Err(BackofficeError::SelfManagement);
        }
        match self.ports.operators.get(id).await {
            Ok(found) => Ok(found),
            Err(RepoError::NotFound) => Err(BackofficeError::NotFound { resource: "operator" }),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives the operator `role` (at their next request: the guard re-reads the operator).
    /// Errors: `NotFound`, `SelfManagement` for oneself.
    pub async fn change_operator_role(
        &self,
        actor: &Staff,
        id: OperatorId,
        role: OperatorRole,
    ) -> Result<Operator, BackofficeError> {
        let mut operator = self.other_operator(actor, id).await?;
        operator.role = role;
        operator.updated_at = self.ports.clock.now();
        Ok(self.ports.operators.update(&operator).await?)
    }

    /// Disables the operator: login refused, every session revoked at once. Errors: `NotFound`,
    /// `SelfManagement` for oneself.
    pub async fn disable_operator(&self, actor: &Staff, id: OperatorId) -> Result<Operator, BackofficeError> {
        let mut operator = self.other_operator(actor, id).await?;
        let now = self.ports.clock.now();
        if operator.active {
            operator.active = false;
            operator.updated_at = now;
            operator = self.ports.operators.update(&operator).await?;
        }
        self.ports.sessions.revoke_all(id, now).await?;
        Ok(operator)
    }

    /// Forgets the operator's TOTP authenticator and recovery codes and ends their sessions: their
    /// next login answers `totp_enrolment_required` and they enrol again, with a new secret (so
    /// the replay guard starts over: codes of the old secret never match the new one). Errors: `NotFound`, `SelfManagement` for oneself.
    pub async fn reset_operator_totp(&self, actor: &Staff, id: OperatorId) -> Result<Operator, BackofficeError> {
        let mut operator = self.other_operator(actor, id).await?;
        let now = self.ports.clock.now();
        operator.totp_secret = None;
        operator.totp_enrolled = false;
        operator.last_totp_step = 0;
        operator.recovery_codes.clear();
        operator.updated_at = now;
        let operator = self.ports.operators.update(&operator).await?;
        self.ports.sessions.revoke_all(id, now).await?;
        Ok(operator)
    }
}
