//! Typed identifiers. Each is a ULID: sortable by creation time, unique without coordination.

/// Declares a ULID-backed identifier newtype.
#[macro_export]
macro_rules! ulid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(ulid::Ulid);

        // By hand rather than derived: `ulid` reads its text into a `String` first; this parses
        // it where the decoder holds it (an id or more in every stored document read).
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Text;
                impl serde::de::Visitor<'_> for Text {
                    type Value = ulid::Ulid;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a ULID string")
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ulid::Ulid, E> {
                        ulid::Ulid::from_string(text).map_err(E::custom)
                    }
                }
                d.deserialize_str(Text).map(Self)
            }
        }

        impl $name {
            /// A new, unique id.
            pub fn new() -> Self {
                Self(ulid::Ulid::new())
            }

            /// Parses the canonical 26-character form; `None` when it is not a ULID.
            pub fn parse(s: &str) -> Option<Self> {
                ulid::Ulid::from_string(s).ok().map(Self)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some("A ULID (26 characters, sortable by creation time)."))
                    .build()
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ulid::DecodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                ulid::Ulid::from_string(s).map(Self)
            }
        }
    };
}

ulid_id!(
    /// Identifies a user account.
    UserId
);
ulid_id!(
    /// Identifies a stored exchange credential.
    CredentialId
);
ulid_id!(
    /// Identifies one refresh token (one link in a session family).
    SessionId
);
ulid_id!(
    /// Identifies a family of rotated refresh tokens, i.e. one login.
    SessionFamilyId
);
ulid_id!(
    /// Identifies a single-use e-mail token (password reset, e-mail verification).
    EmailTokenId
);
ulid_id!(
    /// Identifies a subscription record.
    SubscriptionId
);
ulid_id!(
    /// Identifies an audit log entry.
    AuditId
);
ulid_id!(
    /// Identifies a stored payment-provider webhook event.
    PaymentEventId
);
ulid_id!(
    /// Identifies a trading context.
    ContextId
);
ulid_id!(
    /// Identifies a trading bot.
    BotId
);
ulid_id!(
    /// Identifies an order we placed (or adopted from an exchange).
    OrderId
);
ulid_id!(
    /// Identifies a bot's position (a lot, a channel position, a DCA accumulation).
    PositionId
);
ulid_id!(
    /// Identifies a recorded context signal.
    ContextSignalId
);

ulid_id!(
    /// Identifies one entry of a user's consent history.
    ConsentId
);
ulid_id!(
    /// Identifies one event of a user's (a notification, a webhook delivery's subject).
    EventId
);
ulid_id!(
    /// Identifies a backoffice operator (staff, not a user).
    OperatorId
);
ulid_id!(
    /// Identifies an operator's backoffice session.
    OperatorSessionId
);
