//! A local stand-in for Segment's Public API (hyper on 127.0.0.1; never the real one), built
//! from Segment's published reference (<https://docs.segmentapis.com>,
//! <https://www.twilio.com/docs/segment/api/public-api>): `Authorization: Bearer`, `{"data": …}`
//! answers, `{"errors": [{"type", "message"}]}` errors, cursor pagination (`pagination[count]`,
//! `pagination[cursor]` → `data.pagination.next`), forced 4xx/5xx answers with their headers
//! (429's `Retry-After`, `X-RateLimit-*`). Tests that use it: `#[path]` it in.
#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "sgp_fake-public-api-token-Qw3rty9";
pub(crate) const DEST: &str = "dest_reddit_42";

pub(crate) fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/segment/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// One request the stand-in saw.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) authorization: Option<String>,
    pub(crate) body: Value,
}

/// A forced answer: status, headers, Segment's message.
pub(crate) type Failure = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// The stand-in's state: one destination and its subscriptions.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) destination: Value,
    subscriptions: Vec<Value>,
    page_size: usize,
    /// Every request is answered with this (status, headers, body) when set.
    pub(crate) fail: Option<Failure>,
    seen: Vec<Seen>,
}

pub(crate) struct Fake {
    pub(crate) url: String,
    pub(crate) state: Arc<Mutex<State>>,
}

impl Fake {
    pub(crate) fn start(subscriptions: Vec<Value>, page_size: usize) -> Fake {
        let state = Arc::new(Mutex::new(State {
            destination: fixture_json("destination.json")["data"]["destination"].clone(),
            subscriptions,
            page_size,
            fail: None,
            seen: Vec::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = state.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else { continue };
                    let state = shared.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, Infallible>(answer(&state, req).await) }
                        });
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ =
                            hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                    });
                }
            });
        });
        Fake { url, state }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub(crate) fn writes(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.method == "POST" || s.method == "PATCH").collect()
    }
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/vnd.segment.v1alpha+json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn error(status: u16, kind: &str, message: &str) -> Response<Full<Bytes>> {
    reply(status, json!({"errors": [{"type": kind, "message": message}]}))
}

/// `pagination[cursor]` and `pagination[count]` from a query string.
pub(crate) fn query(target: &str, key: &str) -> Option<String> {
    let q = target.split_once('?')?.1;
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.replace("%5B", "[").replace("%5D", "]") == key).then(|| v.to_string())
    })
}

async fn answer(state: &Mutex<State>, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().to_string();
    let target = req.uri().to_string();
    let authorization = req.headers().get("authorization").map(|v| v.to_str().unwrap().to_string());
    let bytes = req.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut state = state.lock().unwrap();
    state.seen.push(Seen {
        method: method.clone(),
        target: target.clone(),
        authorization: authorization.clone(),
        body: body.clone(),
    });
    if method == "CONNECT" {
        // A proxy that lets nothing through: only where the client wanted to go is recorded.
        return error(502, "proxy", "no tunnels here");
    }
    if authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return error(401, "unauthorized", "The provided token is invalid");
    }
    if let Some((status, headers, message)) = &state.fail {
        let mut response = error(*status, "failure", message);
        for (k, v) in headers {
            response.headers_mut().insert(*k, v.parse().unwrap());
        }
        return response;
    }
    let path = target.split('?').next().unwrap().to_string();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.get(1) != Some(&DEST) {
        return error(404, "not-found", "Destination not found");
    }
    match (method.as_str(), &parts[2..]) {
        ("GET", []) => reply(200, json!({"data": {"destination": state.destination}})),
        ("GET", ["subscriptions"]) => {
            let count: usize = query(&target, "pagination[count]").and_then(|c| c.parse().ok()).unwrap_or(10);
            let start: usize = query(&target, "pagination[cursor]")
                .and_then(|c| c.strip_prefix("cur-").and_then(|n| n.parse().ok()))
                .unwrap_or(0);
            let size = count.min(state.page_size);
            let end = (start + size).min(state.subscriptions.len());
            let next = (end < state.subscriptions.len()).then(|| format!("cur-{end}"));
            reply(
                200,
                json!({"data": {"subscriptions": state.subscriptions[start..end],
                        "pagination": {"current": format!("cur-{start}"), "next": next,
                                       "totalEntries": state.subscriptions.len()}}}),
            )
        }
        ("POST", ["subscriptions"]) => {
            let mut sub = body.clone();
            sub["id"] = json!(format!("sub_new_{}", state.subscriptions.len() + 1));
            sub["destinationId"] = json!(DEST);
            state.subscriptions.push(sub.clone());
            reply(200, json!({"data": {"destinationSubscription": sub}}))
        }
        ("PATCH", ["subscriptions", id]) => {
            let id = id.to_string();
            let Some(sub) = state.subscriptions.iter_mut().find(|s| s["id"] == id.as_str()) else {
                return error(404, "not-found", "Subscription not found");
            };
            for (k, v) in body["input"].as_object().cloned().unwrap_or_default() {
                sub[k] = v;
            }
            let sub = sub.clone();
            reply(200, json!({"data": {"subscription": sub}}))
        }
        _ => error(404, "not-found", "No such route"),
    }
}

/// The fixture's three subscriptions.
pub(crate) fn subscriptions() -> Vec<Value> {
    fixture_json("subscriptions.json")["data"]["subscriptions"].as_array().unwrap().clone()
}
