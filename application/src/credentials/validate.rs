//! Use case: validate a credential against its exchange (on save, on request, and daily). The
//! status becomes valid or invalid with the reason and time. A key that can withdraw is invalid:
//! botfleet never needs withdrawals, and such a key is a liability (the catalogue's advice).

use domain::contexts::ContextMode;
use domain::credentials::{CredentialStatus, ExchangeCredential};
use domain::exchange::{AccountInfo, ApiCredentials, ExchangeError};
use domain::shared::clock::to_millis;
use domain::shared::ids::{CredentialId, UserId};
use domain::{PageRequest, RepoError};

use super::CredentialError;
use super::{CredentialService, CredentialView};
use crate::Unexpected;

/// What the exchange said about a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Status and reason to record.
    Decided(CredentialStatus, Option<String>),
    /// The exchange could not be asked; nothing is recorded.
    Unreachable,
}

/// The reason recorded for a key with withdrawal rights.
pub const WITHDRAWAL_REASON: &str = "the key can withdraw funds; create a key with trading rights only";

fn judge(info: Result<AccountInfo, ExchangeError>) -> Verdict {
    match info {
        Ok(AccountInfo { can_withdraw: Some(true), .. }) => {
            Verdict::Decided(CredentialStatus::Invalid, Some(WITHDRAWAL_REASON.into()))
        }
        Ok(AccountInfo { can_trade: false, .. }) => {
            Verdict::Decided(CredentialStatus::Invalid, Some("the key has no trading rights".into()))
        }
        Ok(AccountInfo { can_withdraw: None, .. }) => Verdict::Decided(
            CredentialStatus::Valid,
            Some("the exchange does not tell whether the key can withdraw; make sure it cannot".into()),
        ),
        Ok(_) => Verdict::Decided(CredentialStatus::Valid, None),
        Err(ExchangeError::Unauthorized(_)) => {
            Verdict::Decided(CredentialStatus::Invalid, Some("the exchange refused the key".into()))
        }
        Err(err) => {
            tracing::info!(error = ?err, "credential validation: exchange unreachable");
            Verdict::Unreachable
        }
    }
}

impl CredentialService {
    /// Asks the exchange about `creds`.
    pub(crate) async fn ask(&self, credential: &ExchangeCredential, creds: &ApiCredentials) -> Verdict {
        match self.ports.exchanges.gateway(credential.exchange, ContextMode::Live) {
            Ok(gateway) => judge(gateway.account_info(creds).await),
            Err(_) => Verdict::Unreachable,
        }
    }

    fn decrypted(&self, credential: &ExchangeCredential) -> Result<ApiCredentials, Unexpected> {
        super::decrypt(&*self.ports.cipher, credential)
    }

    /// Records `verdict` on `credential`.
    pub(crate) async fn record(
        &self,
        mut credential: ExchangeCredential,
        verdict: Verdict,
    ) -> Result<ExchangeCredential, RepoError> {
        let Verdict::Decided(status, reason) = verdict else { return Ok(credential) };
        let now = to_millis(self.ports.clock.now());
        credential.record_validation(status, reason, now);
        self.ports.credentials.update(&credential).await
    }

    /// Validates a stored credential again. Errors: `NotFound`, `ExchangeUnreachable`.
    pub async fn validate(&self, owner: UserId, id: CredentialId) -> Result<CredentialView, CredentialError> {
        let credential = match self.ports.credentials.get(owner, id).await {
            Ok(c) => c,
            Err(RepoError::NotFound) => return Err(CredentialError::NotFound),
            Err(err) => return Err(err.into()),
        };
        let verdict = self.ask(&credential, &self.decrypted(&credential)?).await;
        if verdict == Verdict::Unreachable {
            return Err(CredentialError::ExchangeUnreachable { exchange: credential.exchange });
        }
        Ok(CredentialView::from(&self.record(credential, verdict).await?))
    }

    /// The daily job: validates every credential; returns (checked, unreachable).
    pub async fn revalidate_all(&self) -> Result<(u64, u64), CredentialError> {
        let (mut checked, mut unreachable, mut offset) = (0, 0, 0);
        loop {
            let page = self.ports.credentials.list_all(PageRequest::new(offset, 100)).await?;
            let count = page.items.len() as u64;
            for credential in page.items {
                checked += 1;
                let verdict = self.ask(&credential, &self.decrypted(&credential)?).await;
                if verdict == Verdict::Unreachable {
                    unreachable += 1;
                }
                if let Err(err) = self.record(credential, verdict).await {
                    tracing::warn!(error = ?err, "recording a credential's validation failed");
                }
            }
            offset += count;
            if count == 0 || offset >= page.total {
                return Ok((checked, unreachable));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawal_rights_and_refusals_are_invalid() {
        let info = |trade, withdraw| Ok(AccountInfo { can_trade: trade, can_withdraw: withdraw });
        assert_eq!(judge(info(true, Some(false))), Verdict::Decided(CredentialStatus::Valid, None));
        assert!(matches!(judge(info(true, Some(true))), Verdict::Decided(CredentialStatus::Invalid, Some(_))));
        assert!(matches!(judge(info(false, Some(false))), Verdict::Decided(CredentialStatus::Invalid, Some(_))));
        assert!(matches!(judge(info(true, None)), Verdict::Decided(CredentialStatus::Valid, Some(_))));
        assert!(matches!(
            judge(Err(ExchangeError::Unauthorized("bad".into()))),
            Verdict::Decided(CredentialStatus::Invalid, _)
        ));
        assert_eq!(judge(Err(ExchangeError::unavailable(anyhow::anyhow!("down")))), Verdict::Unreachable);
    }
}
