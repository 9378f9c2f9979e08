//! Use case: turn a bearer token into the principal making the request.

use domain::identity::{Role, TokenError};
use domain::shared::ids::UserId;

use super::{AuthenticateError, IdentityService};

/// Who is calling, after their access token was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user_id: UserId,
    /// The user's role.
    pub role: Role,
}

impl IdentityService {
    /// Verifies `token` (signature, algorithm, issuer, audience, expiry) and that its user is
    /// active and has not ended their sessions since it was issued.
    /// Errors: `Expired`, `Invalid`.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthenticateError> {
        let now = self.ports.clock.now();
        let claims = self.ports.tokens.verify(token, now).map_err(|err| match err {
            TokenError::Expired => AuthenticateError::Expired,
            TokenError::Invalid => AuthenticateError::Invalid,
        })?;
        let user = match self.ports.users.get(claims.user_id).await {
            Ok(user) => user,
            Err(domain::RepoError::NotFound) => return Err(AuthenticateError::Invalid),
            Err(err) => return Err(err.into()),
        };
        if !user.accepts_token(claims.issued_at, claims.generation) {
            return Err(AuthenticateError::Invalid);
        }
        Ok(Principal { user_id: user.id, role: user.role })
    }
}
