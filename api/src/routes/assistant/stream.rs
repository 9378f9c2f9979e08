//! The streamed form of `POST /api/assistant/conversations/{id}/messages`: the use case runs in
//! its own task, its text pieces flow through a channel as `chunk` events in order, and its end
//! as one `done` (or `error`) event. A refusal before the first piece (quota, validation, a
//! missing conversation) is still a plain problem answer.

use std::convert::Infallible;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use application::assistant::{AssistantError, SentMessage};
use domain::assistant::ChunkSink;
use domain::shared::ids::UserId;
use futures::StreamExt as _;
use serde_json::json;
use tokio::sync::mpsc;

use super::SendMessageResponse;
use crate::error::ApiError;
use crate::state::AppState;

/// What the use case's task reports.
enum Piece {
    Chunk(String),
    Done(Box<Result<SentMessage, AssistantError>>),
}

struct ChannelSink(mpsc::UnboundedSender<Piece>);

impl ChunkSink for ChannelSink {
    fn text(&mut self, delta: &str) {
        // A client that went away stops receiving; the answer is still stored.
        let _ = self.0.send(Piece::Chunk(delta.to_owned()));
    }
}

/// Whether the client asked for an event stream.
pub(super) fn wants_stream(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|part| part.trim().starts_with("text/event-stream")))
}

fn event(name: &str, id: Option<usize>, data: &serde_json::Value) -> Bytes {
    let id = id.map(|i| format!("id: {i}\n")).unwrap_or_default();
    // serde_json writes one line: newlines inside strings are escaped.
    Bytes::from(format!("{id}event: {name}\ndata: {data}\n\n"))
}

/// Runs the send and answers with its event stream.
pub(super) async fn send_streaming(
    state: Arc<AppState>,
    user: UserId,
    id: domain::assistant::ConversationId,
    text: String,
) -> Result<HttpResponse, ApiError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let done = tx.clone();
    actix_web::rt::spawn(async move {
        let result = state.assistant.send(user, id, &text, &mut ChannelSink(tx)).await;
        let _ = done.send(Piece::Done(Box::new(result)));
    });
    let first =
        rx.recv().await.ok_or_else(|| ApiError::internal(anyhow::anyhow!("the assistant's task ended silently")))?;
    if let Piece::Done(result) = first {
        let sent = (*result)?;
        let body = serde_json::to_value(SendMessageResponse::from(sent)).map_err(ApiError::internal)?;
        return Ok(respond(futures::stream::iter([event("done", None, &body)]).boxed_local()));
    }
    let rest = tokio_stream_of(rx);
    let mut index = 0usize;
    let frames = futures::stream::iter([first]).chain(rest).map(move |piece| match piece {
        Piece::Chunk(text) => {
            let frame = event("chunk", Some(index), &json!({"index": index, "text": text}));
            index += 1;
            frame
        }
        Piece::Done(result) => match *result {
            Ok(sent) => event("done", None, &serde_json::to_value(SendMessageResponse::from(sent)).unwrap_or_default()),
            Err(err) => {
                let err = ApiError::from(err);
                tracing::warn!(error = %crate::error::cause_chain(&err), "an assistant answer failed midway");
                event("error", None, &serde_json::to_value(err.problem()).unwrap_or_default())
            }
        },
    });
    Ok(respond(frames.boxed_local()))
}

fn tokio_stream_of(mut rx: mpsc::UnboundedReceiver<Piece>) -> impl futures::Stream<Item = Piece> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

fn respond(frames: futures::stream::LocalBoxStream<'static, Bytes>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(frames.map(Ok::<_, Infallible>))
}
