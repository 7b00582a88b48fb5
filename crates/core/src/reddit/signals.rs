//! The attribution signals Reddit matches a conversion on — one list for the preview's meter,
//! the "no attribution signal" lint and the corpus report.

use serde::Serialize;

use super::wire::{RedditEvent, User};

/// One attribution signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    ClickId,
    Uuid,
    Email,
    ExternalId,
    Phone,
    /// `idfa` or `aaid`.
    DeviceId,
    /// `ip_address` + `user_agent` + `screen_dimensions` together.
    IpUserAgent,
}

impl Signal {
    /// Every signal, in display order.
    pub const ALL: [Signal; 7] = [
        Signal::ClickId,
        Signal::Uuid,
        Signal::Email,
        Signal::ExternalId,
        Signal::Phone,
        Signal::DeviceId,
        Signal::IpUserAgent,
    ];

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            Signal::ClickId => "click id",
            Signal::Uuid => "uuid",
            Signal::Email => "email",
            Signal::ExternalId => "external id",
            Signal::Phone => "phone",
            Signal::DeviceId => "IDFA/AAID",
            Signal::IpUserAgent => "ip + user agent + screen",
        }
    }

    /// Whether a built event carries this signal (a non-empty value).
    pub fn in_event(self, event: &RedditEvent) -> bool {
        let user = event.user();
        let has = |f: fn(&User) -> &Option<String>| {
            user.is_some_and(|u| f(u).as_deref().is_some_and(|s| !s.is_empty()))
        };
        match self {
            Signal::ClickId => event.click_id().is_some_and(|c| !c.is_empty()),
            Signal::Uuid => has(|u| &u.uuid),
            Signal::Email => has(|u| &u.email),
            Signal::ExternalId => has(|u| &u.external_id),
            Signal::Phone => has(|u| &u.phone_number),
            Signal::DeviceId => has(|u| &u.idfa) || has(|u| &u.aaid),
            Signal::IpUserAgent => ip_parts(event) == [true; 3],
        }
    }
}

/// The parts of [`Signal::IpUserAgent`], which counts only when all three are there.
pub const IP_PARTS: [&str; 3] = ["ip", "user agent", "screen"];

/// Which of [`IP_PARTS`] a built event carries.
pub fn ip_parts(event: &RedditEvent) -> [bool; 3] {
    let user = event.user();
    let has = |f: fn(&User) -> &Option<String>| {
        user.is_some_and(|u| f(u).as_deref().is_some_and(|s| !s.is_empty()))
    };
    [has(|u| &u.ip_address), has(|u| &u.user_agent), user.is_some_and(|u| u.screen_dimensions.is_some())]
}

/// Which signals a built event carries, in [`Signal::ALL`] order.
pub fn present(event: &RedditEvent) -> [bool; 7] {
    Signal::ALL.map(|s| s.in_event(event))
}
