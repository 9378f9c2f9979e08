//! A bot's life cycle: created, running, paused, stopped, tripped (circuit breaker), each change
//! kept with its reason and time. Transitions outside the table are refused with the status the
//! bot is in, so the API can say why.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a bot is in its life cycle.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotStatus {
    /// Configured, never started.
    Created,
    /// Trading.
    Running,
    /// Paused by its owner: opens nothing, but protective exits keep guarding its positions.
    Paused,
    /// Stopped: does nothing; its pending orders are cancelled, positions stay as they are.
    Stopped,
    /// Stopped by its circuit breaker: opens nothing, protective exits keep working; resumes only
    /// through a reset.
    Tripped,
}

impl BotStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BotStatus::Created => "created",
            BotStatus::Running => "running",
            BotStatus::Paused => "paused",
            BotStatus::Stopped => "stopped",
            BotStatus::Tripped => "tripped",
        }
    }

    /// Every status.
    pub const ALL: [BotStatus; 5] =
        [BotStatus::Created, BotStatus::Running, BotStatus::Paused, BotStatus::Stopped, BotStatus::Tripped];

    /// Whether the engine evaluates a bot in this status (running fully; paused and tripped for
    /// protective exits only).
    pub fn is_evaluated(self) -> bool {
        matches!(self, BotStatus::Running | BotStatus::Paused | BotStatus::Tripped)
    }
}

impl std::str::FromStr for BotStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("unknown bot status `{s}`; expected one of: created, running, paused, stopped, tripped")
        })
    }
}

/// A command the life cycle refuses in the current status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {command} a bot that is {status}")]
pub struct TransitionRefused {
    /// What was asked (`start`, `pause`, …).
    pub command: &'static str,
    /// The status the bot is in.
    pub status: &'static str,
}

/// One change of status.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// From.
    pub from: BotStatus,
    /// To.
    pub to: BotStatus,
    /// Why (a command, the breaker's trip, a plan downgrade, a completed DCA plan).
    pub reason: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// How many status changes a bot keeps (the oldest are dropped).
pub const HISTORY_LIMIT: usize = 20;

/// The commands of the life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Created or stopped -> running.
    Start,
    /// Running -> paused.
    Pause,
    /// Paused -> running.
    Resume,
    /// Running, paused or tripped -> stopped.
    Stop,
}

impl Command {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::Pause => "pause",
            Command::Resume => "resume",
            Command::Stop => "stop",
        }
    }

    /// The status the command leads to from `from`, or why it is refused.
    pub fn target(self, from: BotStatus) -> Result<BotStatus, TransitionRefused> {
        use BotStatus::*;
        let to = match (self, from) {
            (Command::Start, Created | Stopped) => Running,
            (Command::Pause, Running) => Paused,
            (Command::Resume, Paused) => Running,
            (Command::Stop, Running | Paused | Tripped) => Stopped,
            _ => return Err(TransitionRefused { command: self.as_str(), status: from.as_str() }),
        };
        Ok(to)
    }
}
