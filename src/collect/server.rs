//! The collection endpoint's server loop: one task per connection (hyper HTTP/1.1), routing,
//! CORS, the write key, body limits and timeouts, gzip, enrichment, the capture, the queue.

use std::io::{self, Read};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::accept::Running;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ALLOW, AUTHORIZATION, CONNECTION,
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, ORIGIN, VARY,
};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};

use super::{Arrival, Config, QUEUE};
use crate::tracking::{Call, CollectError, Stamp, basic_user, enrich, read_request};

struct Shared {
    config: Config,
    in_flight: Semaphore,
    arrivals: mpsc::Sender<Arrival>,
}

/// A running collection endpoint. Dropping it stops the server too.
pub struct Collector {
    addr: SocketAddr,
    server: Running,
}

impl Collector {
    /// Binds `bind` (port 0 picks a free port; an address other than loopback only with
    /// `config.allow_remote`, else `InvalidInput`) and serves in the background; accepted events
    /// come out of the receiver, in arrival order. Needs a Tokio runtime.
    pub async fn start(bind: SocketAddr, config: Config) -> io::Result<(Collector, mpsc::Receiver<Arrival>)> {
        if !bind.ip().is_loopback() && !config.allow_remote {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a loopback address: other machines could send events (allow it explicitly)",
                    bind.ip()
                ),
            ));
        }
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let (arrivals, receiver) = mpsc::channel(QUEUE);
        let shared =
            Arc::new(Shared { in_flight: Semaphore::new(config.max_in_flight.max(1)), config, arrivals });
        Ok((Collector { addr, server: serve(listener, shared) }, receiver))
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`: what a client's `host` option takes.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), and returns.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Serves `listener` in the background, each connection with `shared`.
fn serve(listener: TcpListener, shared: Arc<Shared>) -> Running {
    Running::spawn(listener, move |stream, stop| connection(stream, shared.clone(), stop))
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let timeout = shared.config.read_timeout;
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(&shared, req).await) }
    });
    crate::accept::http1(stream, timeout, service, stop).await;
}

/// An answer: the status and Segment's JSON body.
struct Answer {
    status: StatusCode,
    body: Value,
    /// The request's body was left unread: close the connection.
    close: bool,
}

impl Answer {
    fn ok() -> Answer {
        Answer { status: StatusCode::OK, body: json!({ "success": true }), close: false }
    }

    fn refuse(status: StatusCode, message: impl Into<String>) -> Answer {
        Answer { status, body: json!({ "success": false, "message": message.into() }), close: false }
    }
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let origin = req.headers().get(ORIGIN).cloned();
    let mut response = if req.method() == Method::OPTIONS {
        preflight(&req)
    } else {
        let answer = match Call::from_path(req.uri().path()) {
            None => Answer::refuse(
                StatusCode::NOT_FOUND,
                format!(
                    "{} is not a Tracking API path: POST to /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias or /v1/batch",
                    req.uri().path()
                ),
            ),
            Some(_) if req.method() != Method::POST => {
                Answer::refuse(StatusCode::METHOD_NOT_ALLOWED, "the Tracking API takes POST")
            }
            Some(call) => {
                let _permit = shared.in_flight.acquire().await.expect("the semaphore is never closed");
                collect(shared, call, req).await
            }
        };
        let mut response = Response::new(Full::new(Bytes::from(answer.body.to_string())));
        *response.status_mut() = answer.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if answer.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        }
        if answer.close {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    };
    // Any page may send events here (analytics.js on the user's site): the answer says so.
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// The CORS preflight's answer: POST with the headers the browser asks for (Chrome's private
/// network access included, since the page is public and the endpoint is loopback).
fn preflight(req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
    let asked = req.headers().get(ACCESS_CONTROL_REQUEST_HEADERS).cloned();
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        asked.unwrap_or(HeaderValue::from_static("Content-Type, Authorization, Content-Encoding")),
    );
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    headers.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
    response
}

/// Reads, checks, enriches, captures and queues one Tracking API request.
async fn collect(shared: &Shared, call: Call, req: Request<Incoming>) -> Answer {
    let basic = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(basic_user);
    let gzip = match req
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("").trim().to_ascii_lowercase())
    {
        None => false,
        Some(e) if e.is_empty() || e == "identity" => false,
        Some(e) if e == "gzip" || e == "x-gzip" => true,
        Some(e) => {
            let mut answer = Answer::refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Encoding {e:?} is not supported: send gzip or no encoding"),
            );
            answer.close = true;
            return answer;
        }
    };
    let body = match read_body(shared, call, req).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let body = if gzip {
        match gunzip(&body, call.body_limit()) {
            Ok(plain) => plain,
            Err(answer) => return answer,
        }
    } else {
        body.to_vec()
    };
    let incoming = match read_request(call, &body) {
        Ok(incoming) => incoming,
        Err(e) => return Answer::refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    drop(body);
    let key = basic.or(incoming.write_key);
    match key {
        None => {
            return Answer::refuse(
                StatusCode::UNAUTHORIZED,
                "no write key: send it as the HTTP Basic user or as \"writeKey\" in the body",
            );
        }
        Some(key) if key != shared.config.write_key => {
            return Answer::refuse(
                StatusCode::UNAUTHORIZED,
                "the write key is not the one this console listens for",
            );
        }
        Some(_) => {}
    }
    let now_ms = shared.config.clock.now_ms();
    let sent_at = incoming.sent_at;
    let mut events = Vec::with_capacity(incoming.events.len());
    for mut event in incoming.events {
        let stamp = Stamp { now_ms, id_bits: (crate::random::next_u64(), crate::random::next_u64()) };
        let did = enrich(&mut event, sent_at.as_ref(), stamp);
        events.push((event, did));
    }
    let arrival = Arrival { call, received_at_ms: now_ms, events };
    if let Some(captures) = shared.config.captures.clone() {
        // One fsync per request, before the client hears it was taken.
        let (captured, arrival_back) = tokio::task::spawn_blocking(move || {
            let plain: Vec<_> = arrival.events.iter().map(|(event, _)| event.clone()).collect();
            (captures.append(&plain), arrival)
        })
        .await
        .expect("the capture task does not panic");
        if let Err(e) = captured {
            return Answer::refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the capture could not be written: {e}"),
            );
        }
        let _ = shared.arrivals.send(arrival_back).await;
    } else {
        // The reader may be gone (shutting down): the events were still taken.
        let _ = shared.arrivals.send(arrival).await;
    }
    Answer::ok()
}

/// The body within `call`'s limit and the read timeout (a declared length over it is refused
/// before a byte is read).
async fn read_body(shared: &Shared, call: Call, req: Request<Incoming>) -> Result<Bytes, Answer> {
    let limit = call.body_limit();
    let too_large = |bytes: usize| {
        let mut answer =
            Answer::refuse(StatusCode::BAD_REQUEST, CollectError::BodyTooLarge { bytes, limit }.to_string());
        answer.close = true;
        answer
    };
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<usize>().ok());
    if let Some(bytes) = declared.filter(|&n| n > limit) {
        return Err(too_large(bytes));
    }
    let body = Limited::new(req.into_body(), limit);
    match tokio::time::timeout(shared.config.read_timeout, body.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit + 1)),
        Ok(Err(e)) => {
            Err(Answer::refuse(StatusCode::BAD_REQUEST, format!("the body could not be read: {e}")))
        }
        Err(_) => {
            let mut answer = Answer::refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!("the body took longer than {} s", shared.config.read_timeout.as_secs_f32()),
            );
            answer.close = true;
            Err(answer)
        }
    }
}

/// A gzip body's text, refused past `limit` bytes however small it came (a gzip bomb stops at
/// the limit).
fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, Answer> {
    let mut plain = Vec::with_capacity((body.len() * 4).min(limit + 1));
    let decoder = flate2::read::GzDecoder::new(body);
    match decoder.take(limit as u64 + 1).read_to_end(&mut plain) {
        Ok(n) if n > limit => Err(Answer::refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is more than {limit} bytes once gunzipped; Segment takes at most {limit} bytes per request"
            ),
        )),
        Ok(_) => Ok(plain),
        Err(e) => Err(Answer::refuse(StatusCode::BAD_REQUEST, format!("the body is not valid gzip: {e}"))),
    }
}
