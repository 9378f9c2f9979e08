//! `/api/assistant`: conversations with the assistant (a language model when one is configured,
//! else the offline guide), answers streamed as Server-Sent Events on request, and the
//! confirmation of the actions it proposes.

mod dto;
mod stream;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::*;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{validated, Paging};
use crate::routes::page::Page;
use crate::routes::wire::Id;
use crate::state::AppState;
use domain::assistant::{ConversationId, ProposalId};

/// The OpenAPI tag of these routes.
pub const TAG: &str = "assistant";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The assistant: conversations about the caller's bots, answers streamed as Server-Sent Events, \
                  and the confirmation of the actions it proposes. See docs/assistant.md.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_conversation)
        .service(list_conversations)
        .service(get_conversation)
        .service(delete_conversation)
        .service(send_message)
        .service(get_proposal)
        .service(confirm_proposal);
}

/// Start a conversation.
#[utoipa::path(
    tag = TAG,
    request_body = CreateConversationRequest,
    responses((status = 201, description = "Started", body = ConversationResponse))
)]
#[post("/api/assistant/conversations")]
pub async fn create_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<CreateConversationRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let conversation = state.assistant.start(auth.0.user_id, body.title.as_deref()).await?;
    Ok(HttpResponse::Created().json(ConversationResponse::from(conversation)))
}

/// The caller's conversations, most recently active first.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses((status = 200, description = "A page of conversations", body = Page<ConversationResponse>))
)]
#[get("/api/assistant/conversations")]
pub async fn list_conversations(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.assistant.conversations(auth.0.user_id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<ConversationResponse>::from(page)))
}

/// A conversation and a page of its messages, oldest first.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Conversation id"), Paging),
    responses((status = 200, description = "The conversation's history", body = ConversationHistory))
)]
#[get("/api/assistant/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ConversationId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let (conversation, page) = state.assistant.history(auth.0.user_id, *id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(ConversationHistory {
        conversation: conversation.into(),
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    }))
}

/// Delete a conversation with its messages and proposals.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Conversation id")),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/api/assistant/conversations/{id}")]
pub async fn delete_conversation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ConversationId>,
) -> Result<HttpResponse, ApiError> {
    state.assistant.delete(auth.0.user_id, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a message; counts against the plan's daily quota (FREE 10, PRO 100, MAX unlimited; the
/// user's local day, in their profile's `time_zone`), 429 `chat_quota_exhausted` with the plan and `resets_at` beyond it. With
/// `Accept: text/event-stream` the answer streams: `chunk` events (`{"index", "text"}`, in order),
/// then one `done` event carrying this operation's JSON answer (or an `error` event carrying a
/// problem, when the model fails midway: nothing is then stored).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Conversation id")),
    request_body = SendMessageRequest,
    responses(
        (status = 200, description = "The answer (JSON, or an event stream with `Accept: text/event-stream`)",
            content(
                (SendMessageResponse = "application/json"),
                (String = "text/event-stream"),
            )),
    )
)]
#[post("/api/assistant/conversations/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: PathId<ConversationId>,
    body: TrackedJson<SendMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let user = auth.0.user_id;
    if stream::wants_stream(&req) {
        return stream::send_streaming(state.into_inner(), user, id.into_inner(), body.text).await;
    }
    let sent = state.assistant.send(user, *id, &body.text, &mut ()).await?;
    Ok(HttpResponse::Ok().json(SendMessageResponse::from(sent)))
}

/// One of the caller's proposals.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Proposal id")),
    responses((status = 200, description = "The proposal", body = ProposalResponse))
)]
#[get("/api/assistant/proposals/{id}")]
pub async fn get_proposal(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ProposalId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ProposalResponse::from(state.assistant.proposal(auth.0.user_id, *id).await?)))
}

/// Confirm a proposal: it runs once, within 30 minutes of being proposed, through the same use
/// case as the REST API (`POST /api/bots`, `/pause`, `/resume`, `/circuit-breaker/reset`,
/// `/emergency-sell`), whose refusals it answers with (the proposal is then kept as failed).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Proposal id")),
    responses((status = 200, description = "Executed", body = ConfirmResponse))
)]
#[post("/api/assistant/proposals/{id}/confirm")]
pub async fn confirm_proposal(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ProposalId>,
) -> Result<HttpResponse, ApiError> {
    let confirmed = state.assistant.confirm(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(ConfirmResponse { proposal: confirmed.proposal.into(), bot: confirmed.bot.into() }))
}
