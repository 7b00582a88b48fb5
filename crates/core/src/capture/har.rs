//! A HAR 1.2 file, read as a stream: entries go by one at a time and only the requests to
//! Reddit's conversions endpoints are kept, so memory stays bounded by the largest single entry
//! however large the file.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{CaptureError, Captured, endpoint};

/// How many entries a HAR held and how many were conversions requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HarSummary {
    pub entries: usize,
    pub matched: usize,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    method: String,
    #[serde(default)]
    url: String,
    #[serde(rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct PostData {
    text: Option<String>,
}

struct Ctx<'a, F> {
    place: &'a str,
    summary: HarSummary,
    each: F,
}

/// Calls `each` with every request of the HAR read from `reader` that goes to a Conversions API
/// endpoint (v2.0 or v3, any host), in file order.
pub fn har_requests<R: std::io::Read, F: FnMut(Captured)>(
    place: &str,
    reader: R,
    each: F,
) -> Result<HarSummary, CaptureError> {
    let mut ctx = Ctx { place, summary: HarSummary::default(), each };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let found = Seed(&mut ctx, Level::Root).deserialize(&mut de).and_then(|found| de.end().map(|()| found));
    match found {
        Ok(true) => Ok(ctx.summary),
        Ok(false) => Err(CaptureError::Har {
            place: place.into(),
            line: 1,
            column: 1,
            message: "no log.entries array".into(),
        }),
        Err(e) => Err(CaptureError::Har {
            place: place.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }),
    }
}

#[derive(Clone, Copy)]
enum Level {
    Root,
    Log,
    Entries,
    Entry,
}

/// Walks the HAR's nesting; yields whether `log.entries` was found.
struct Seed<'c, 'a, F>(&'c mut Ctx<'a, F>, Level);

impl<'de, F: FnMut(Captured)> DeserializeSeed<'de> for Seed<'_, '_, F> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        match self.1 {
            Level::Entries => d.deserialize_seq(self),
            _ => d.deserialize_map(self),
        }
    }
}

impl<'de, F: FnMut(Captured)> Visitor<'de> for Seed<'_, '_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Level::Root => f.write_str("a HAR object with \"log\""),
            Level::Log => f.write_str("a \"log\" object with \"entries\""),
            Level::Entries => f.write_str("an \"entries\" array"),
            Level::Entry => f.write_str("an entry object"),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let Seed(ctx, level) = self;
        let mut found = false;
        let mut request = None;
        while let Some(key) = map.next_key::<String>()? {
            match (level, key.as_str()) {
                (Level::Root, "log") => found |= map.next_value_seed(Seed(&mut *ctx, Level::Log))?,
                (Level::Log, "entries") => found |= map.next_value_seed(Seed(&mut *ctx, Level::Entries))?,
                (Level::Entry, "request") => request = Some(map.next_value::<Request>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let (Level::Entry, Some(r)) = (level, request) {
            let index = ctx.summary.entries;
            if let Some((api, pixel)) = endpoint(&r.url) {
                ctx.summary.matched += 1;
                (ctx.each)(Captured {
                    place: format!("{}: entry {index}", ctx.place),
                    method: r.method,
                    url: Some(r.url),
                    api: Some(api),
                    pixel: Some(pixel),
                    body: r.post_data.and_then(|p| p.text).unwrap_or_default(),
                });
            }
        }
        if matches!(level, Level::Entry) {
            ctx.summary.entries += 1;
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let Seed(ctx, _) = self;
        while seq.next_element_seed(Seed(&mut *ctx, Level::Entry))?.is_some() {}
        Ok(true)
    }
}
