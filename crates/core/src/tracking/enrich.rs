//! What Segment's pipeline adds to an event before a destination sees it: a `messageId` when
//! the client sent none, `receivedAt`, the batch's `sentAt`, and `timestamp` corrected for the
//! client's clock skew (`receivedAt - (sentAt - originalTimestamp)`), the client's own time kept
//! as `originalTimestamp`. "Now" and the id's random bits are passed in.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::segment::samples::message_id_from;
use crate::timestamp::{self, EpochMillis};

/// The moment an event arrived and random bits for an id it may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// When the request arrived (epoch milliseconds): the event's `receivedAt`.
    pub now_ms: EpochMillis,
    /// Random bits for a `messageId` (drawn by the caller).
    pub id_bits: (u64, u64),
}

/// One thing [`enrich`] did to an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "did", rename_all = "snake_case")]
pub enum Enrichment {
    /// The event had no `messageId`: one was made.
    MessageId { message_id: String },
    /// `receivedAt` set to the arrival time.
    ReceivedAt,
    /// The batch's `sentAt` copied into the event.
    SentAtFromBatch,
    /// `timestamp` moved by the client's clock skew (`sentAt - receivedAt`; positive: the
    /// client's clock is ahead); the client's time is kept as `originalTimestamp`.
    TimestampCorrected { skew_ms: i64 },
    /// No `sentAt`, so no skew to correct: `timestamp` is the client's, kept as `originalTimestamp` too.
    TimestampUncorrected,
    /// No `timestamp`: it is the arrival time.
    TimestampFromReceivedAt,
    /// `timestamp` or `sentAt` is not a date: `timestamp` is left as it came.
    TimestampUnreadable,
}

/// Enriches one event as Segment's pipeline does (see the module) and says what it did.
/// `batch_sent_at` is the batch's `sentAt` (an event's own wins).
pub fn enrich(
    event: &mut Map<String, Value>,
    batch_sent_at: Option<&Value>,
    stamp: Stamp,
) -> Vec<Enrichment> {
    let mut did = Vec::with_capacity(4);
    if !event.get("messageId").is_some_and(|id| id.as_str().is_some_and(|s| !s.is_empty()) || id.is_number())
    {
        let message_id = message_id_from(stamp.id_bits.0, stamp.id_bits.1);
        event.insert("messageId".into(), Value::from(message_id.clone()));
        did.push(Enrichment::MessageId { message_id });
    }
    let received = timestamp::format_rfc3339(stamp.now_ms);
    event.insert("receivedAt".into(), Value::from(received.clone()));
    did.push(Enrichment::ReceivedAt);
    if !event.contains_key("sentAt")
        && let Some(sent_at) = batch_sent_at
    {
        event.insert("sentAt".into(), sent_at.clone());
        did.push(Enrichment::SentAtFromBatch);
    }
    // A replayed capture already holds the client's time in originalTimestamp.
    let original = event.get("originalTimestamp").or_else(|| event.get("timestamp")).cloned();
    let Some(original) = original.filter(|v| !v.is_null()) else {
        event.insert("timestamp".into(), Value::from(received));
        did.push(Enrichment::TimestampFromReceivedAt);
        return did;
    };
    let Some(original_ms) = timestamp::parse_json(&original).map(timestamp::Parsed::millis) else {
        did.push(Enrichment::TimestampUnreadable);
        return did;
    };
    event.insert("originalTimestamp".into(), original);
    match event.get("sentAt").filter(|v| !v.is_null()) {
        None => did.push(Enrichment::TimestampUncorrected),
        Some(sent_at) => match timestamp::parse_json(sent_at).map(timestamp::Parsed::millis) {
            Some(sent_ms) => {
                let skew_ms = sent_ms - stamp.now_ms;
                let corrected = original_ms.saturating_sub(skew_ms);
                event.insert("timestamp".into(), Value::from(timestamp::format_rfc3339(corrected)));
                did.push(Enrichment::TimestampCorrected { skew_ms });
            }
            None => did.push(Enrichment::TimestampUnreadable),
        },
    }
    did
}
