//! The one table of what each operator role may do. Every backoffice route names the
//! [`Permission`] it needs (the API's route table), and nothing else grants access.

use super::OperatorRole;

/// Something an operator may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read and end one's own session (every role).
    OwnSession,
    /// Create operators, change their roles, disable them.
    ManageOperators,
    /// List users and read a user's detail.
    ReadUsers,
    /// Block and unblock users, pause their bots, grant a plan.
    ManageUsers,
    /// Send a user the password-reset e-mail.
    SendPasswordReset,
    /// Read and export the backoffice audit trail.
    ReadAudit,
    /// Export user lists as CSV (personal data in bulk: not SUPPORT).
    ExportUsers,
    /// Refund a user's payment at the payment provider (money leaves: not SUPPORT).
    RefundPayments,
    /// Read the platform metrics (aggregate counts and revenue, no personal data).
    ReadMetrics,
    /// Create, list and disable coupons.
    ManageCoupons,
}

use OperatorRole::{Admin, SuperAdmin, Support};

/// Every permission with the roles that hold it.
pub const TABLE: &[(Permission, &[OperatorRole])] = &[
    (Permission::OwnSession, &[SuperAdmin, Admin, Support]),
    (Permission::ManageOperators, &[SuperAdmin]),
    (Permission::ReadUsers, &[SuperAdmin, Admin, Support]),
    (Permission::ManageUsers, &[SuperAdmin, Admin]),
    (Permission::SendPasswordReset, &[SuperAdmin, Admin, Support]),
    (Permission::ReadAudit, &[SuperAdmin, Admin]),
    (Permission::ExportUsers, &[SuperAdmin, Admin]),
    (Permission::RefundPayments, &[SuperAdmin, Admin]),
    (Permission::ReadMetrics, &[SuperAdmin, Admin, Support]),
    (Permission::ManageCoupons, &[SuperAdmin, Admin]),
];

impl Permission {
    /// The stable name used in the audit trail and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OwnSession => "own_session",
            Permission::ManageOperators => "manage_operators",
            Permission::ReadUsers => "read_users",
            Permission::ManageUsers => "manage_users",
            Permission::SendPasswordReset => "send_password_reset",
            Permission::ReadAudit => "read_audit",
            Permission::ExportUsers => "export_users",
            Permission::RefundPayments => "refund_payments",
            Permission::ReadMetrics => "read_metrics",
            Permission::ManageCoupons => "manage_coupons",
        }
    }

    /// Whether `role` holds this permission (per [`TABLE`]).
    pub fn granted_to(self, role: OperatorRole) -> bool {
        TABLE.iter().any(|(permission, roles)| *permission == self && roles.contains(&role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_in_the_table_once() {
        let all = [
            Permission::OwnSession,
            Permission::ManageOperators,
            Permission::ReadUsers,
            Permission::ManageUsers,
            Permission::SendPasswordReset,
            Permission::ReadAudit,
            Permission::ExportUsers,
            Permission::RefundPayments,
            Permission::ReadMetrics,
            Permission::ManageCoupons,
        ];
        for permission in all {
            assert_eq!(TABLE.iter().filter(|(p, _)| *p == permission).count(), 1, "{permission:?}");
        }
        assert_eq!(TABLE.len(), all.len());
    }

    #[test]
    fn super_admin_holds_everything_and_support_reads() {
        assert!(TABLE.iter().all(|(p, _)| p.granted_to(SuperAdmin)));
        assert!(!Permission::ManageOperators.granted_to(Admin));
        assert!(Permission::ManageUsers.granted_to(Admin));
        assert!(!Permission::ManageUsers.granted_to(Support));
        assert!(!Permission::ReadAudit.granted_to(Support));
        assert!(!Permission::ExportUsers.granted_to(Support));
        assert!(Permission::ManageCoupons.granted_to(Admin));
        assert!(!Permission::ManageCoupons.granted_to(Support));
        assert!(Permission::SendPasswordReset.granted_to(Support));
        assert!(Permission::ReadUsers.granted_to(Support));
    }
}
