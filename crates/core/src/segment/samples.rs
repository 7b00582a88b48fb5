//! Ready-made Segment events for the composer: one per preset's trigger, plus page, identify,
//! group and alias calls. Each is stamped "now" with a fresh messageId when it is made.

use serde_json::{Value, json};

/// A template's name and the event it makes.
pub struct Template {
    pub name: &'static str,
    make: fn() -> Value,
}

impl Template {
    /// A new event from the template, timestamped now, with a fresh messageId.
    pub fn event(&self) -> Value {
        let mut e = (self.make)();
        stamp(&mut e);
        e
    }
}

/// The template `text` was made from, if it is that template's event as made (only its
/// `timestamp` and `messageId` may differ): a sample nobody edited, which may be stamped anew.
pub fn untouched(text: &str) -> Option<&'static Template> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let obj = value.as_object_mut()?;
    obj.remove("timestamp")?;
    obj.remove("messageId")?;
    TEMPLATES.iter().find(|t| (t.make)() == value)
}

/// Sets `timestamp` to now and `messageId` to a new id.
pub fn stamp(event: &mut Value) {
    if let Some(obj) = event.as_object_mut() {
        obj.insert(
            "timestamp".into(),
            json!(crate::timestamp::format_rfc3339(crate::timestamp::now_millis())),
        );
        obj.insert("messageId".into(), json!(new_message_id()));
    }
}

/// A random RFC 4122 version-4-shaped id (not cryptographic; it only has to be unique).
pub fn new_message_id() -> String {
    message_id_from(crate::random::next_u64(), crate::random::next_u64())
}

/// The version-4-shaped id made of the random bits `a` and `b` (the caller draws them).
pub fn message_id_from(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

fn context() -> Value {
    json!({
        "ip": "203.0.113.42",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "page": {"url": "https://shop.example.com/checkout/complete", "path": "/checkout/complete"},
        "traits": {"email": " Jane.Doe+shop@Example.com ", "phone": "+1 (415) 555-0132"},
        "screen": {"height": 1117, "width": 1728}
    })
}

fn track(event: &str, properties: Value) -> Value {
    json!({
        "type": "track",
        "event": event,
        "userId": "user-1842",
        "anonymousId": "anon-5d1e8c",
        "context": context(),
        "integrations": {"Reddit Conversions Api": {"click_id": "t2_abc123clickid"}},
        "properties": properties
    })
}

fn product() -> Value {
    json!({"product_id": "sku-trail-42", "name": "Trail Runner 42", "category": "Footwear", "price": 109.9, "quantity": 1})
}

/// The templates, presets' events first.
pub const TEMPLATES: [Template; 12] = [
    Template {
        name: "Order Completed (Purchase)",
        make: || {
            track(
                "Order Completed",
                json!({"order_id": "ORD-0042", "currency": "USD", "revenue": 129.9, "quantity": 3,
                       "products": [product(), {"product_id": "sku-sock-3pk", "name": "Merino Socks (3-pack)", "category": "Apparel", "price": 10, "quantity": 2}]}),
            )
        },
    },
    Template {
        name: "Product Added (Add to Cart)",
        make: || {
            let mut p = product();
            p["currency"] = json!("USD");
            p["quantity"] = json!(2);
            track("Product Added", p)
        },
    },
    Template {
        name: "Product Added to Wishlist",
        make: || {
            let mut p = product();
            p["currency"] = json!("USD");
            track("Product Added to Wishlist", p)
        },
    },
    Template { name: "Product Viewed (View Content)", make: || track("Product Viewed", product()) },
    Template {
        name: "Products Searched (Search)",
        make: || track("Products Searched", json!({"query": "trail running shoes"})),
    },
    Template {
        name: "Lead Generated (Lead)",
        make: || track("Lead Generated", json!({"currency": "USD", "price": 25, "form": "newsletter"})),
    },
    Template {
        name: "Signed Up (Sign Up)",
        make: || track("Signed Up", json!({"currency": "USD", "price": 0, "plan": "free"})),
    },
    Template {
        name: "Custom track event",
        make: || track("Checkout Step Viewed", json!({"step": 2, "currency": "USD", "revenue": 129.9})),
    },
    Template {
        name: "Page",
        make: || {
            json!({"type": "page", "name": "Checkout", "userId": "user-1842", "anonymousId": "anon-5d1e8c",
                   "properties": {"url": "https://shop.example.com/checkout", "title": "Checkout"}, "context": context()})
        },
    },
    Template {
        name: "Identify",
        make: || {
            json!({"type": "identify", "userId": "user-1842", "anonymousId": "anon-5d1e8c",
                   "traits": {"email": "jane.doe@example.com", "plan": "pro"}, "context": context()})
        },
    },
    Template {
        name: "Group",
        make: || {
            json!({"type": "group", "userId": "user-1842", "groupId": "acme-inc",
                   "traits": {"name": "Acme Inc", "employees": 120}, "context": context()})
        },
    },
    Template {
        name: "Alias",
        make: || json!({"type": "alias", "userId": "user-1842", "previousId": "anon-5d1e8c", "context": context()}),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Item, Options, Selection};

    #[test]
    fn a_sample_is_untouched_until_something_but_its_stamp_is_edited() {
        let text = serde_json::to_string_pretty(&TEMPLATES[0].event()).unwrap();
        assert_eq!(untouched(&text).map(|t| t.name), Some(TEMPLATES[0].name));
        let mut edited: Value = serde_json::from_str(&text).unwrap();
        edited["timestamp"] = json!("2020-01-01T00:00:00.000Z");
        assert!(untouched(&edited.to_string()).is_some(), "a stamp alone does not count");
        edited["properties"]["revenue"] = json!(1);
        assert!(untouched(&edited.to_string()).is_none(), "an edited value does");
        edited = serde_json::from_str(&text).unwrap();
        edited.as_object_mut().unwrap().remove("timestamp");
        assert!(untouched(&edited.to_string()).is_none(), "a removed timestamp is an edit");
        assert!(untouched("{").is_none());
    }
    use crate::segment::Event;
    use crate::workspace::Workspace;

    #[test]
    fn each_preset_template_triggers_its_preset_and_builds_cleanly() {
        let workspace = Workspace::presets();
        let settings = crate::reddit::Settings { pixel_id: "a2_x".into(), ..Default::default() };
        let engine = Engine::new(&workspace, settings).unwrap();
        for (template, preset) in TEMPLATES.iter().zip([
            "Purchase",
            "Add to Cart",
            "Add to Wishlist",
            "View Content",
            "Search",
            "Lead",
            "Sign Up",
        ]) {
            let event = Event::from_value(template.event()).unwrap();
            let items =
                engine.preview(std::slice::from_ref(&event), Selection::Triggers, &Options::default());
            let request = items.iter().find_map(|i| match i {
                Item::Request { mapping, lints, .. } if mapping == preset => Some(lints),
                _ => None,
            });
            let lints = request.unwrap_or_else(|| panic!("{} does not trigger {preset}", template.name));
            assert!(
                lints.iter().all(|l| l.level == crate::reddit::Level::Warning),
                "{}: {lints:?}",
                template.name
            );
        }
    }

    #[test]
    fn message_ids_are_fresh_and_uuid_shaped() {
        let a = new_message_id();
        let b = new_message_id();
        assert_ne!(a, b);
        assert!(crate::reddit::lint::is_rfc4122(&a), "{a}");
    }
}
