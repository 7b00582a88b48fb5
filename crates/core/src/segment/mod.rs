//! Segment spec events (track, page, screen, identify, group, alias).
//!
//! An event stays a JSON value — mappings read arbitrary paths — with typed accessors for the
//! fields everybody asks about.

pub mod edit;
pub(crate) mod json;
mod parse;
mod read;
pub mod samples;

pub use json::MAX_DEPTH;
pub use parse::{
    EventStream, EventsError, MAX_INPUT_BYTES, QuickEvents, check_syntax, is_text_byte, parse_events,
    quick_events, read_capped, stream_events,
};
pub use read::EventReader;

use serde_json::{Map, Value};

/// The Segment call types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Track,
    Page,
    Screen,
    Identify,
    Group,
    Alias,
}

impl EventType {
    /// Every call type, in Segment's documentation order.
    pub const ALL: [EventType; 6] = [
        EventType::Track,
        EventType::Page,
        EventType::Screen,
        EventType::Identify,
        EventType::Group,
        EventType::Alias,
    ];

    /// The `type` string Segment uses.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Track => "track",
            EventType::Page => "page",
            EventType::Screen => "screen",
            EventType::Identify => "identify",
            EventType::Group => "group",
            EventType::Alias => "alias",
        }
    }

    /// Parses a `type` string.
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// One Segment event: a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Event(Value);

impl Event {
    /// Wraps a JSON value; it must be an object.
    pub fn from_value(value: Value) -> Result<Event, Value> {
        if value.is_object() { Ok(Event(value)) } else { Err(value) }
    }

    /// The whole event as JSON.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// Mutable access for editors (the composer's quick fields).
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.0
    }

    /// Unwraps the JSON value.
    pub fn into_value(self) -> Value {
        self.0
    }

    fn str_at(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn object_at(&self, key: &str) -> Option<&Map<String, Value>> {
        self.0.get(key).and_then(Value::as_object)
    }

    /// The call type, when `type` is one of Segment's.
    pub fn event_type(&self) -> Option<EventType> {
        self.str_at("type").and_then(EventType::from_name)
    }

    /// A track call's event name (`event`).
    pub fn event_name(&self) -> Option<&str> {
        self.str_at("event")
    }

    /// A page or screen call's `name`.
    pub fn name(&self) -> Option<&str> {
        self.str_at("name")
    }

    /// `userId`.
    pub fn user_id(&self) -> Option<&str> {
        self.str_at("userId")
    }

    /// `anonymousId`.
    pub fn anonymous_id(&self) -> Option<&str> {
        self.str_at("anonymousId")
    }

    /// `messageId`.
    pub fn message_id(&self) -> Option<&str> {
        self.str_at("messageId")
    }

    /// `timestamp`.
    pub fn timestamp(&self) -> Option<&str> {
        self.str_at("timestamp")
    }

    /// `properties`.
    pub fn properties(&self) -> Option<&Map<String, Value>> {
        self.object_at("properties")
    }

    /// `context`.
    pub fn context(&self) -> Option<&Map<String, Value>> {
        self.object_at("context")
    }

    /// `traits` (identify and group calls).
    pub fn traits(&self) -> Option<&Map<String, Value>> {
        self.object_at("traits")
    }

    /// A short human label: `track "Order Completed"`, `page "Home"`, `identify`.
    pub fn label(&self) -> String {
        let kind = self.str_at("type").unwrap_or("event");
        match self.event_name().or_else(|| self.name()) {
            Some(name) => format!("{kind} \"{name}\""),
            None => kind.to_string(),
        }
    }
}
