//! The nine presets Segment's Reddit Conversions API destination ships, with Segment's exact
//! triggers and mappings — including the Add to Cart / Add to Wishlist key bug.

use serde_json::{Map, Value};

use super::fields::Action;

/// What a preset does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresetKind {
    /// Sends through one of the two actions.
    Send(Action),
    /// Segment's "Reddit Browser Plugin": a web-only enrichment that builds no request.
    BrowserPlugin,
}

/// One of Segment's presets.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    /// Segment's trigger, verbatim.
    pub subscribe: &'static str,
    pub kind: PresetKind,
    /// What Segment merges over the action's default mapping (JSON object text).
    pub overrides: &'static str,
    /// The same with Segment's bug fixed, used by the Reddit profile (when the preset has a bug).
    pub corrected: Option<&'static str>,
    /// One sentence for people.
    pub summary: &'static str,
}

impl Preset {
    /// The overrides for a profile: Segment's own, or the corrected ones.
    pub fn overrides(&self, segment_faithful: bool) -> Map<String, Value> {
        let text = match (segment_faithful, self.corrected) {
            (false, Some(fixed)) => fixed,
            _ => self.overrides,
        };
        serde_json::from_str(text).expect("preset overrides are valid JSON objects")
    }
}

/// Text of the browser plugin preset's explanation.
pub const BROWSER_PLUGIN_NOTE: &str = "Reddit Browser Plugin runs only in Segment's web library (Analytics.js): it copies the \
rdt_cid click id and the _rdt_uuid cookie into integrations[\"Reddit Conversions Api\"] so the \
other mappings' default Click ID and UUID sources find them. It sends nothing itself, so it builds no request here.";

/// Segment's nine presets in Segment's order.
pub static PRESETS: [Preset; 9] = [
    Preset {
        name: "Reddit Browser Plugin",
        subscribe: r#"type = "track" or type = "identify" or type = "group" or type = "page" or type = "alias""#,
        kind: PresetKind::BrowserPlugin,
        overrides: "{}",
        corrected: None,
        summary: "Web only: enriches events with Reddit's click id and uuid cookie.",
    },
    Preset {
        name: "Page Visit",
        subscribe: r#"type = "page""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "PageVisit", "event_metadata": {}}"#,
        corrected: None,
        summary: "Every page call as a PageVisit.",
    },
    Preset {
        name: "View Content",
        subscribe: r#"type = "track" and event = "Product Viewed""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "ViewContent", "event_metadata": {}}"#,
        corrected: None,
        summary: "Product Viewed as ViewContent.",
    },
    Preset {
        name: "Search",
        subscribe: r#"type = "track" and event = "Products Searched""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "Search", "event_metadata": {}}"#,
        corrected: None,
        summary: "Products Searched as Search.",
    },
    Preset {
        name: "Add to Cart",
        subscribe: r#"type = "track" and event = "Product Added""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "AddToCart", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "itemCount": {"@path": "$.properties.quantity"}, "value": {"@path": "$.properties.price"}}}"#,
        corrected: Some(
            r#"{"tracking_type": "AddToCart", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "item_count": {"@path": "$.properties.quantity"}, "value_decimal": {"@path": "$.properties.price"}}}"#,
        ),
        summary: "Product Added as AddToCart (Segment's preset loses item count and value).",
    },
    Preset {
        name: "Add to Wishlist",
        subscribe: r#"type = "track" and event = "Product Added to Wishlist""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "AddToWishlist", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "itemCount": {"@path": "$.properties.quantity"}, "value": {"@path": "$.properties.price"}}}"#,
        corrected: Some(
            r#"{"tracking_type": "AddToWishlist", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "item_count": {"@path": "$.properties.quantity"}, "value_decimal": {"@path": "$.properties.price"}}}"#,
        ),
        summary: "Product Added to Wishlist as AddToWishlist (same key bug as Add to Cart).",
    },
    Preset {
        name: "Purchase",
        subscribe: r#"type = "track" and event = "Order Completed""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "Purchase"}"#,
        corrected: None,
        summary: "Order Completed as Purchase, with revenue, currency, quantity and products.",
    },
    Preset {
        name: "Lead",
        subscribe: r#"type = "track" and event = "Lead Generated""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "Lead", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "value_decimal": {"@path": "$.properties.price"}}}"#,
        corrected: None,
        summary: "Lead Generated as Lead.",
    },
    Preset {
        name: "Sign Up",
        subscribe: r#"type = "track" and event = "Signed Up""#,
        kind: PresetKind::Send(Action::StandardEvent),
        overrides: r#"{"tracking_type": "SignUp", "event_metadata": {"currency": {"@path": "$.properties.currency"}, "value_decimal": {"@path": "$.properties.price"}}}"#,
        corrected: None,
        summary: "Signed Up as SignUp.",
    },
];

/// Looks a preset up by name (case-insensitive).
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

/// Misspelled keys Segment's schema silently drops, and the key that was meant.
pub const KNOWN_MISSPELLINGS: [(&str, &str); 4] = [
    ("event_metadata.itemCount", "event_metadata.item_count"),
    ("event_metadata.value", "event_metadata.value_decimal"),
    ("event_metadata.quantity", "event_metadata.item_count"),
    ("event_metadata.revenue", "event_metadata.value_decimal"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::trigger::Trigger;

    #[test]
    fn nine_presets_with_parseable_triggers_and_object_overrides() {
        assert_eq!(PRESETS.len(), 9);
        for p in &PRESETS {
            Trigger::parse(p.subscribe).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert!(p.overrides(true).len() <= 2, "{}", p.name);
            let _ = p.overrides(false);
        }
    }

    #[test]
    fn add_to_cart_reproduces_segments_keys_and_offers_the_fix() {
        let p = find("add to cart").unwrap();
        let faithful = p.overrides(true);
        assert!(faithful["event_metadata"].get("itemCount").is_some());
        assert!(faithful["event_metadata"].get("value").is_some());
        let fixed = p.overrides(false);
        assert!(fixed["event_metadata"].get("item_count").is_some());
        assert!(fixed["event_metadata"].get("value_decimal").is_some());
    }
}
