//! The server loop: a loopback listener, one task per connection (hyper HTTP/1.1), routing, body
//! limits and timeouts, faults, and the control endpoints. Locks are never held across an await.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::accept::Running;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue, RETRY_AFTER,
};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, SemaphorePermit, watch};

use super::Config;
use super::fault::{Dice, Fault, FaultKind, RandomFaults};
use super::rules::{self, Reply};
use super::store::{Batch, Received, Store};
use crate::reddit::ApiVersion;

/// Largest control request body (a fault or random-fault setting is a few hundred bytes).
pub(super) const CONTROL_BODY_LIMIT: usize = 64 * 1024;
/// Control request bodies read at once; the rest wait, unread.
pub(super) const CONTROL_IN_FLIGHT: usize = 4;
/// Events serialized per chunk of the `GET /_emulator/events` stream.
const EVENTS_PER_CHUNK: usize = 64;

/// State shared by every connection.
struct Shared {
    config: Config,
    store: Mutex<Store>,
    faults: Mutex<VecDeque<Fault>>,
    /// Random faults, drawn for requests the queue leaves alone.
    random: Mutex<Option<Dice>>,
    counters: Mutex<Stats>,
    /// Permits to read and check an API request (`Config::max_in_flight`).
    in_flight: Semaphore,
    /// Permits to read a control request's body ([`CONTROL_IN_FLIGHT`]).
    control: Semaphore,
    /// Room, in KiB, for the bytes of bodies that stalled and gave their slot back.
    stalled: Semaphore,
}

/// Counters since the emulator started (clearing the events resets none of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Requests to the API routes (POST to a v2.0 or v3 events URL), faulted ones included.
    pub api_requests: u64,
    /// Of those, answered 200.
    pub accepted_requests: u64,
    /// Events recorded, ever (the store keeps only the newest of them).
    pub accepted_events: u64,
    /// Events in the store now.
    pub stored_events: usize,
    /// Faults applied, by kind: the status (`"500"`), `"drop"` or `"delay"`.
    pub faults_injected: BTreeMap<String, u64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn new(config: Config) -> Shared {
        Shared {
            store: Mutex::new(Store::new(config.max_events)),
            faults: Mutex::new(VecDeque::new()),
            random: Mutex::new(None),
            counters: Mutex::new(Stats::default()),
            in_flight: Semaphore::new(config.max_in_flight.max(1)),
            control: Semaphore::new(CONTROL_IN_FLIGHT),
            stalled: Semaphore::new(STALLED_BODIES_KIB),
            config,
        }
    }

    /// Takes one application of the oldest queued fault, else rolls the random faults (if set).
    fn next_fault(&self) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let Some(front) = faults.front_mut() else {
            drop(faults);
            return lock(&self.random).as_mut().and_then(Dice::roll);
        };
        let kind = front.kind.clone();
        front.count -= 1;
        if front.count == 0 {
            faults.pop_front();
        }
        Some(kind)
    }

    fn stats(&self) -> Stats {
        let mut stats = lock(&self.counters).clone();
        let store = lock(&self.store);
        (stats.accepted_events, stats.stored_events) = (store.recorded(), store.len());
        stats
    }

    fn queue(&self, fault: Fault) -> usize {
        let mut faults = lock(&self.faults);
        if fault.count > 0 {
            faults.push_back(fault);
        }
        faults.len()
    }
}

/// A running emulator. Dropping it stops the server too; [`Emulator::shutdown`] also waits for
/// in-flight requests (up to 5 s).
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Running,
}

impl Emulator {
    /// Binds `bind` (a loopback address; anything else is refused with `InvalidInput`; port 0
    /// picks a free port) and serves in the background. Needs a Tokio runtime.
    pub async fn start(bind: SocketAddr, config: Config) -> io::Result<Emulator> {
        if !bind.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the emulator binds only to loopback addresses, not {}", bind.ip()),
            ));
        }
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let server = serve(listener, shared.clone());
        Ok(Emulator { addr, shared, server })
    }

    /// An in-process emulator with the default config on a free loopback port (the app's, and
    /// `send`'s when no other endpoint is given).
    pub async fn start_local() -> io::Result<Emulator> {
        Emulator::start(SocketAddr::from(([127, 0, 0, 1], 0)), Config::default()).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every recorded event, oldest first.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.store).all()
    }

    /// Forgets every recorded event.
    pub fn clear(&self) {
        lock(&self.shared.store).clear();
    }

    /// Queues a fault behind the ones already queued (a fault with count 0 is ignored).
    pub fn queue_fault(&self, fault: Fault) {
        self.shared.queue(fault);
    }

    /// Injects faults at random rates (behind the FIFO queue), or stops doing so with `None`.
    pub fn set_random_faults(&self, faults: Option<RandomFaults>) {
        *lock(&self.shared.random) = faults.map(Dice::new);
    }

    /// Request, event and fault counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s), and returns.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Serves `listener` in the background, each connection with `shared`.
fn serve(listener: TcpListener, shared: Arc<Shared>) -> Running {
    Running::spawn(listener, move |stream, stop| connection(stream, shared.clone(), stop))
}

/// The error that makes hyper close a connection without a response (the drop fault).
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for DropConnection {}

async fn connection(stream: TcpStream, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let timeout = shared.config.read_timeout;
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { handle(&shared, req).await }
    });
    crate::accept::http1(stream, timeout, service, stop).await;
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Api { version: ApiVersion, pixel: String },
    ApiMethodNotAllowed(ApiVersion),
    Events,
    Faults,
    RandomFaults,
    Stats,
    ControlMethodNotAllowed(&'static str),
    NotFound,
}

fn route(method: &Method, path: &str) -> Route {
    let api = if let Some(pixel) = path.strip_prefix("/api/v2.0/conversions/events/") {
        Some((ApiVersion::V2, pixel))
    } else {
        path.strip_prefix("/api/v3/pixels/")
            .and_then(|rest| rest.strip_suffix("/conversion_events"))
            .map(|pixel| (ApiVersion::V3, pixel))
    };
    if let Some((version, pixel)) = api {
        if pixel.is_empty() || pixel.contains('/') {
            return Route::NotFound;
        }
        return match *method {
            Method::POST => Route::Api { version, pixel: percent_decode(pixel) },
            _ => Route::ApiMethodNotAllowed(version),
        };
    }
    match (method, path) {
        (&Method::GET | &Method::DELETE, "/_emulator/events") => Route::Events,
        (_, "/_emulator/events") => Route::ControlMethodNotAllowed("GET, DELETE"),
        (&Method::GET | &Method::POST | &Method::DELETE, "/_emulator/faults") => Route::Faults,
        (_, "/_emulator/faults") => Route::ControlMethodNotAllowed("GET, POST, DELETE"),
        (&Method::GET | &Method::PUT | &Method::DELETE, "/_emulator/faults/random") => Route::RandomFaults,
        (_, "/_emulator/faults/random") => Route::ControlMethodNotAllowed("GET, PUT, DELETE"),
        (&Method::GET, "/_emulator/stats") => Route::Stats,
        (_, "/_emulator/stats") => Route::ControlMethodNotAllowed("GET"),
        _ => Route::NotFound,
    }
}

/// `%XX` escapes in a path segment (left as is when they do not decode to UTF-8).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// A response body: whole, or the stored events streamed a chunk at a time.
enum Body {
    Full(Full<Bytes>),
    Events(EventsStream),
}

/// `{"events": [...]}` serialized a chunk at a time as the client reads, so a client that never
/// reads holds one chunk, not the listing. It lists the events stored when it started (up to that
/// id); those evicted or cleared before their chunk is made are left out.
struct EventsStream {
    shared: Arc<Shared>,
    after: u64,
    upto: u64,
    started: bool,
    done: bool,
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Body::Full(full) => Pin::new(full).poll_frame(cx),
            Body::Events(stream) => Poll::Ready(stream.next_chunk().map(|c| Ok(Frame::data(c)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(full) => full.is_end_stream(),
            Body::Events(stream) => stream.done,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(full) => full.size_hint(),
            Body::Events(_) => SizeHint::default(),
        }
    }
}

impl EventsStream {
    fn next_chunk(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut out = Vec::with_capacity(EVENTS_PER_CHUNK * 1024);
        if !self.started {
            self.started = true;
            out.extend_from_slice(b"{\"events\":[");
        }
        match lock(&self.shared.store).json_page(self.after, self.upto, EVENTS_PER_CHUNK, &mut out) {
            Some(last) => self.after = last,
            None => {
                out.extend_from_slice(b"]}");
                self.done = true;
            }
        }
        Some(Bytes::from(out))
    }
}

fn respond(reply: Reply) -> Response<Body> {
    let (body, content_type) = reply.body_bytes();
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::Full(Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(seconds) = reply.retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    if matches!(reply.status, 408 | 413) {
        // The rest of the body is still on the wire: do not reuse the connection.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Reads the whole body within `limit` and the read timeout, in one of `slots` while its bytes
/// come (the slot comes back with the body, to be held while it is checked); the error is the
/// 413 / 408 reply. A declared length over the limit is refused before a byte of the body is
/// read. No slot is held while a body does not come: its first bytes are waited for without
/// one, and a body that stalls in its slot ([`body_time`]) gives the slot back and waits for its
/// next bytes behind the requests already waiting, its bytes so far counted in
/// [`STALLED_BODIES_KIB`] (full: 408). So a client sending a byte now and then never keeps the
/// others waiting long, and one the machine was slow to schedule is delayed, not refused.
async fn read_body<'s>(
    shared: &Shared,
    version: ApiVersion,
    req: Request<Incoming>,
    limit: usize,
    slots: &'s Semaphore,
) -> Result<(Bytes, SemaphorePermit<'s>), Reply> {
    let too_large = || Reply::default_for_status(version, 413, "");
    let timed_out = || Reply::default_for_status(version, 408, "");
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Limited::new(req.into_body(), limit);
    let end = tokio::time::Instant::now() + shared.config.read_timeout;
    let frame = |result: BodyRead| match result {
        Ok(None) => Ok(None),
        Ok(Some(Ok(frame))) => Ok(Some(frame.into_data().unwrap_or_default())),
        Ok(Some(Err(e))) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Some(Err(_))) => Err(Reply::default_for_status(version, 400, "")),
        Err(_) => Err(timed_out()),
    };
    let mut bytes = Vec::new();
    // Room in the stalled budget while out of a slot with bytes read.
    let mut stalled_room = None;
    loop {
        // Out of a slot until the next bytes come.
        let next = frame(tokio::time::timeout_at(end, body.frame()).await)?;
        let permit = slots.acquire().await.expect("the semaphore is never closed");
        drop(stalled_room.take());
        let Some(data) = next else { return Ok((Bytes::from(bytes), permit)) };
        bytes.extend_from_slice(&data);
        // In the slot while they keep coming.
        let (slotted, before) = (tokio::time::Instant::now(), bytes.len());
        loop {
            let deadline = slotted + body_time(bytes.len() - before);
            match tokio::time::timeout_at(deadline.min(end), body.frame()).await {
                Err(_) if tokio::time::Instant::now() >= end => return Err(timed_out()),
                Err(_) => {
                    let kib = u32::try_from(bytes.len().div_ceil(1024)).unwrap_or(u32::MAX);
                    stalled_room = Some(shared.stalled.try_acquire_many(kib).map_err(|_| timed_out())?);
                    break;
                }
                read => match frame(read)? {
                    None => return Ok((Bytes::from(bytes), permit)),
                    Some(data) => bytes.extend_from_slice(&data),
                },
            }
        }
        drop(permit);
    }
}

/// One frame of a limited body, or the time it was waited for ran out.
type BodyRead = Result<
    Option<Result<Frame<Bytes>, Box<dyn std::error::Error + Send + Sync>>>,
    tokio::time::error::Elapsed,
>;

/// How long a body may keep its slot to bring `received` more bytes and the next ones: a tenth
/// of a second, plus the time those bytes take at [`MIN_BODY_BYTES_PER_SEC`]. Over loopback a
/// body comes at hundreds of MB/s; one that does not keep up gives its slot back.
fn body_time(received: usize) -> Duration {
    BODY_STALL + Duration::from_secs_f64(received as f64 / MIN_BODY_BYTES_PER_SEC as f64)
}

/// See [`body_time`].
const BODY_STALL: Duration = Duration::from_millis(100);
const MIN_BODY_BYTES_PER_SEC: u64 = 1 << 20;

/// The most body bytes, in KiB, held for bodies that stalled out of their slots: 64 MiB (a
/// client the machine was slow to schedule holds part of one body; past that, a stalled body is
/// answered 408).
const STALLED_BODIES_KIB: usize = 64 << 10;

/// Whether a `Host` header names this machine's loopback interface (`localhost`, `127.x.x.x`,
/// `[::1]`, with or without a port). Anything else is a foreign name resolved to loopback: a DNS
/// rebinding page.
fn loopback_host(host: Option<&HeaderValue>) -> bool {
    host.and_then(|h| h.to_str().ok()).is_some_and(loopback_name)
}

/// [`loopback_host`] for a `host[:port]` text.
fn loopback_name(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host
            .rsplit_once(':')
            .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host }),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a request for a control endpoint is addressed to loopback: by its target's
/// authority when it has one (an absolute-form `GET http://host/…`, which names the host the
/// client meant), else by its one `Host` header.
fn addressed_to_loopback(req: &Request<Incoming>) -> bool {
    match req.uri().authority() {
        Some(authority) => !authority.as_str().contains('@') && loopback_name(authority.as_str()),
        None => loopback_host(req.headers().get(HOST)),
    }
}

/// Whether the request says its body is JSON (`application/json`, parameters allowed).
fn json_content(req: &Request<Incoming>) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, DropConnection> {
    if req.headers().get_all(HOST).iter().nth(1).is_some() {
        // RFC 9112 §3.2: a request with more than one Host is refused, never read by the first.
        return Ok(respond(Reply::json(400, json!({ "message": "a request carries one Host header" }))));
    }
    let route = route(req.method(), req.uri().path());
    if let Route::Api { version, pixel } = route {
        // The fault is drawn (and a delay slept) before the request takes an in-flight slot,
        // so delayed requests never keep others from being served.
        let fault = shared.next_fault();
        count(shared, fault.as_ref());
        match &fault {
            Some(FaultKind::Drop) => return Err(DropConnection),
            Some(FaultKind::Delay(delay)) => tokio::time::sleep(*delay).await,
            _ => {}
        }
        return api(shared, version, pixel, fault, req).await;
    }
    let control = matches!(route, Route::Events | Route::Faults | Route::RandomFaults | Route::Stats);
    if control && !addressed_to_loopback(&req) {
        let message = "the emulator's control endpoints answer only requests addressed to localhost or a loopback address";
        return Ok(respond(Reply::json(403, json!({ "message": message }))));
    }
    let reply = match route {
        Route::Api { .. } => unreachable!("handled above"),
        Route::ApiMethodNotAllowed(version) => {
            let mut r = respond(Reply::error(version, 405, "Method Not Allowed"));
            r.headers_mut().insert(hyper::header::ALLOW, HeaderValue::from_static("POST"));
            return Ok(r);
        }
        Route::ControlMethodNotAllowed(allow) => {
            let mut r = respond(Reply::json(405, json!({ "message": "Method Not Allowed" })));
            r.headers_mut().insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
            return Ok(r);
        }
        Route::NotFound => Reply::json(404, json!({ "message": "Not Found" })),
        Route::Events if req.method() == Method::GET => {
            let upto = lock(&shared.store).recorded();
            let stream = EventsStream { shared: shared.clone(), after: 0, upto, started: false, done: false };
            let mut response = Response::new(Body::Events(stream));
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return Ok(response);
        }
        Route::Events => clear_events(shared),
        Route::Faults => faults_endpoint(shared, req).await,
        Route::RandomFaults => random_faults_endpoint(shared, req).await,
        Route::Stats => Reply::json(200, serde_json::to_value(shared.stats()).expect("stats serialize")),
    };
    Ok(respond(reply))
}

fn clear_events(shared: &Shared) -> Reply {
    let cleared = lock(&shared.store).clear();
    Reply::json(200, json!({ "cleared": cleared }))
}

async fn faults_endpoint(shared: &Shared, req: Request<Incoming>) -> Reply {
    match *req.method() {
        Method::GET => {
            let faults: Vec<Value> = lock(&shared.faults).iter().map(Fault::to_json).collect();
            Reply::json(200, json!({ "faults": faults }))
        }
        Method::DELETE => {
            let mut faults = lock(&shared.faults);
            let cleared = faults.len();
            faults.clear();
            Reply::json(200, json!({ "cleared": cleared }))
        }
        _ => match read_control(shared, req, Fault::from_json).await {
            Ok(fault) => {
                let queued = fault.to_json();
                let pending = shared.queue(fault);
                Reply::json(200, json!({ "queued": queued, "pending": pending }))
            }
            Err(reply) => reply,
        },
    }
}

/// Reads a control endpoint's JSON body and parses it with `parse`; a 400 says what is wrong.
async fn read_control<T>(
    shared: &Shared,
    req: Request<Incoming>,
    parse: impl FnOnce(&Value) -> Result<T, String>,
) -> Result<T, Reply> {
    if !json_content(&req) {
        let message = "a control request's body must be JSON, sent with Content-Type: application/json";
        return Err(Reply::json(415, json!({ "message": message })));
    }
    let (body, _permit) = read_body(shared, ApiVersion::V2, req, CONTROL_BODY_LIMIT, &shared.control).await?;
    serde_json::from_slice::<Value>(&body)
        .map_err(|e| format!("Malformed JSON in request body: {e}"))
        .and_then(|v| parse(&v))
        .map_err(|message| Reply::json(400, json!({ "message": message })))
}

async fn random_faults_endpoint(shared: &Shared, req: Request<Incoming>) -> Reply {
    let current = |dice: &Option<Dice>| dice.as_ref().map_or(Value::Null, |d| d.faults().to_json());
    match *req.method() {
        Method::GET => Reply::json(200, json!({ "random": current(&lock(&shared.random)) })),
        Method::DELETE => {
            let was = lock(&shared.random).take();
            Reply::json(200, json!({ "cleared": current(&was) }))
        }
        _ => match read_control(shared, req, RandomFaults::from_json).await {
            Ok(faults) => {
                let set = faults.to_json();
                *lock(&shared.random) = Some(Dice::new(faults));
                Reply::json(200, json!({ "random": set }))
            }
            Err(reply) => reply,
        },
    }
}

/// Counts an API request and the fault it gets.
fn count(shared: &Shared, fault: Option<&FaultKind>) {
    let mut counters = lock(&shared.counters);
    counters.api_requests += 1;
    let kind = match fault {
        None => return,
        Some(FaultKind::Status { status, .. }) => status.to_string(),
        Some(FaultKind::Drop) => "drop".to_string(),
        Some(FaultKind::Delay(_)) => "delay".to_string(),
    };
    *counters.faults_injected.entry(kind).or_default() += 1;
}

async fn api(
    shared: &Shared,
    version: ApiVersion,
    pixel: String,
    fault: Option<FaultKind>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let authorization = req.headers().get(AUTHORIZATION).map(|v| v.as_bytes().to_vec());
    // The whole body is read first (as a front proxy would), so a reply never leaves unread
    // bytes behind that would reset the connection under the client.
    // The in-flight slot is held from the body's first bytes until the request is checked.
    let (body, _permit) =
        match read_body(shared, version, req, shared.config.body_limit, &shared.in_flight).await {
            Ok(read) => read,
            Err(reply) => return Ok(respond(reply)),
        };
    if let Some(FaultKind::Status { status, retry_after, body }) = fault {
        let reply = match body {
            None => Reply::default_for_status(version, status, &pixel),
            Some(Value::String(text)) => Reply::text(status, text),
            Some(value) => Reply::json(status, value),
        };
        return Ok(respond(reply.with_retry_after(retry_after)));
    }
    let now = shared.config.clock.now_ms();
    let checked = rules::check_request(&shared.config, version, &pixel, authorization.as_deref(), &body, now);
    let reply = match checked {
        Ok(accepted) => {
            let n = accepted.events.len();
            let batch = Batch {
                version,
                pixel: &pixel,
                test: accepted.test,
                test_id: accepted.test_id.as_deref(),
                partner: accepted.partner.as_deref(),
                events: accepted.events,
            };
            lock(&shared.store).record(batch, now);
            lock(&shared.counters).accepted_requests += 1;
            Reply::success(version, n)
        }
        Err(reply) => reply,
    };
    Ok(respond(reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let post = Method::POST;
        assert_eq!(
            route(&post, "/api/v2.0/conversions/events/a2_x"),
            Route::Api { version: ApiVersion::V2, pixel: "a2_x".into() }
        );
        assert_eq!(
            route(&post, "/api/v3/pixels/t2_%41b/conversion_events"),
            Route::Api { version: ApiVersion::V3, pixel: "t2_Ab".into() }
        );
        assert_eq!(
            route(&Method::GET, "/api/v3/pixels/p/conversion_events"),
            Route::ApiMethodNotAllowed(ApiVersion::V3)
        );
        assert_eq!(route(&post, "/api/v2.0/conversions/events/"), Route::NotFound);
        assert_eq!(route(&post, "/api/v2.0/conversions/events/a/b"), Route::NotFound);
        assert_eq!(route(&post, "/api/v3/pixels//conversion_events"), Route::NotFound);
        assert_eq!(route(&Method::GET, "/_emulator/events"), Route::Events);
        assert_eq!(route(&post, "/_emulator/events"), Route::ControlMethodNotAllowed("GET, DELETE"));
        assert_eq!(route(&post, "/_emulator/faults"), Route::Faults);
        assert_eq!(route(&Method::PUT, "/_emulator/faults/random"), Route::RandomFaults);
        assert_eq!(
            route(&post, "/_emulator/faults/random"),
            Route::ControlMethodNotAllowed("GET, PUT, DELETE")
        );
        assert_eq!(route(&Method::GET, "/_emulator/stats"), Route::Stats);
        assert_eq!(route(&Method::GET, "/"), Route::NotFound);
    }

    #[test]
    fn only_loopback_hosts_reach_the_control_endpoints() {
        let host = |h: &str| loopback_host(Some(&HeaderValue::from_str(h).unwrap()));
        for ok in
            ["127.0.0.1:7878", "127.0.0.1", "localhost:1", "LOCALHOST", "[::1]:7878", "[::1]", "127.1.2.3:80"]
        {
            assert!(host(ok), "{ok}");
        }
        for bad in [
            "evil.example:7878",
            "evil.example",
            "10.0.0.1:7878",
            "127.0.0.1.evil.example",
            "[::2]:1",
            "",
            "localhost.evil:1",
        ] {
            assert!(!host(bad), "{bad}");
        }
        assert!(!loopback_host(None));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
        assert_eq!(percent_decode("%ff"), "%ff");
    }

    #[test]
    fn faults_are_fifo_and_counted() {
        let shared = Shared::new(Config::default());
        assert_eq!(shared.queue(Fault::status(429).times(2)), 1);
        assert_eq!(shared.queue(Fault::drop_connection().times(0)), 1);
        assert_eq!(shared.queue(Fault::drop_connection()), 2);
        let taken: Vec<_> = std::iter::from_fn(|| shared.next_fault()).collect();
        assert_eq!(
            taken,
            [
                FaultKind::Status { status: 429, retry_after: None, body: None },
                FaultKind::Status { status: 429, retry_after: None, body: None },
                FaultKind::Drop
            ]
        );
    }

    #[test]
    fn random_faults_come_after_the_queue() {
        let shared = Shared::new(Config::default());
        *lock(&shared.random) = Some(Dice::new(RandomFaults::seeded(3).with(Fault::status(503), 1.0)));
        shared.queue(Fault::drop_connection());
        let taken: Vec<_> = (0..3).map(|_| shared.next_fault()).collect();
        let s503 = FaultKind::Status { status: 503, retry_after: None, body: None };
        assert_eq!(taken, [Some(FaultKind::Drop), Some(s503.clone()), Some(s503)]);
        *lock(&shared.random) = None;
        assert_eq!(shared.next_fault(), None);
    }
}
