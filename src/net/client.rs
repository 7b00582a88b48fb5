//! The HTTP client: reqwest on tokio with rustls, a connect and a total timeout, no redirects,
//! a descriptive User-Agent, proxies from the environment or a setting, the bearer header marked
//! sensitive; retries per [`super::retry`]; every attempt reported as it starts and ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::retry::{self, Policy};
use crate::reddit::Request;
use crate::reddit::response::{self, Kind, Outcome};
use crate::secret::Secret;
use crate::store::history::AttemptRecord;
use crate::timestamp;

/// Where the proxy comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, as reqwest reads them.
    #[default]
    Environment,
    /// Never a proxy (the local emulator).
    Off,
    /// This proxy URL for everything.
    Url(String),
}

/// Client settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    /// The whole request, from connecting to the last byte of the response.
    pub timeout: Duration,
    pub proxy: ProxySetting,
    pub user_agent: String,
    pub policy: Policy,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            proxy: ProxySetting::Environment,
            user_agent: crate::reddit::settings::default_user_agent(),
            policy: Policy::default(),
        }
    }
}

/// A request ready to go: the URL and the exact body bytes. The token is added at send time.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub url: String,
    pub body: bytes::Bytes,
}

impl Prepared {
    /// From a built request.
    pub fn from_request(request: &Request) -> Prepared {
        Prepared { url: request.url.clone(), body: request.body.to_json_bytes().into() }
    }
}

/// A cancellation switch shared between the UI (or Ctrl-C) and a send.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    notify: Arc<tokio::sync::Notify>,
}

impl Cancel {
    /// Cancels every send watching this switch.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// What a send reports while it runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Attempt `number` is about to leave (record it as pending now).
    Starting { number: u32, started_at: &'a str, waited_ms: u64 },
    /// It came back (or failed).
    Finished(&'a AttemptRecord),
}

/// All attempts and the final outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SendResult {
    pub attempts: Vec<AttemptRecord>,
    pub outcome: Outcome,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("proxy {0:?}: {1}")]
    Proxy(String, reqwest::Error),
    #[error("HTTP client: {0}")]
    Build(reqwest::Error),
}

/// The HTTP client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone());
        builder = match &config.proxy {
            ProxySetting::Environment => builder,
            ProxySetting::Off => builder.no_proxy(),
            ProxySetting::Url(url) => builder
                .no_proxy()
                .proxy(reqwest::Proxy::all(url.as_str()).map_err(|e| ClientError::Proxy(url.clone(), e))?),
        };
        let http = builder.build().map_err(ClientError::Build)?;
        Ok(Client { http, config })
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends with retries. Every attempt sends the same bytes (so the same conversion ids).
    pub async fn send(
        &self,
        request: &Prepared,
        token: &Secret,
        cancel: &Cancel,
        mut progress: impl FnMut(Progress<'_>),
    ) -> SendResult {
        let mut attempts = Vec::new();
        let mut waited_ms = 0;
        let Ok(mut auth) = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        else {
            // Never a stand-in header: say why nothing was sent.
            let outcome = Outcome::transport(
                Kind::Cancelled,
                "not sent: the conversion token contains a character an HTTP header cannot carry (a line break?)",
            );
            return SendResult { attempts, outcome };
        };
        auth.set_sensitive(true);
        for number in 1..=self.config.policy.max_retries + 1 {
            let started_at = timestamp::format_rfc3339(timestamp::now_millis());
            progress(Progress::Starting { number, started_at: &started_at, waited_ms });
            let clock = Instant::now();
            let sent = self
                .http
                .post(&request.url)
                .header(reqwest::header::AUTHORIZATION, auth.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(request.body.clone())
                .send();
            // The whole attempt, the response body's last byte included, within the timeout.
            let answered = tokio::time::timeout(self.config.timeout, async {
                let mut response = sent.await?;
                let status = response.status().as_u16();
                let headers = response
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())
                    })
                    .collect::<Vec<_>>();
                let body = read_body(&mut response, MAX_RESPONSE_BODY_BYTES).await?;
                Ok::<_, reqwest::Error>((status, headers, body))
            });
            let answer = tokio::select! {
                result = answered => match result {
                    Ok(result) => result.map_err(|e| transport_outcome(&e)),
                    Err(_) => Err(Outcome::transport(Kind::Timeout, "no whole response within the timeout")),
                },
                () = cancel.cancelled() => Err(Outcome::transport(Kind::Cancelled, "cancelled")),
            };
            let mut record = AttemptRecord {
                number,
                started_at,
                duration_ms: clock.elapsed().as_millis() as u64,
                waited_ms,
                status: None,
                response_headers: Vec::new(),
                response_body: None,
                response_body_cut: false,
                outcome: Outcome::transport(Kind::Cancelled, ""),
            };
            match answer {
                Ok((status, headers, body)) => {
                    // An endpoint may echo the token back (a header, the body): never kept.
                    let (headers, text) = masked_response(token, headers, body.text);
                    record.status = Some(status);
                    record.outcome = response::classify(status, &text);
                    if body.cut {
                        record.outcome.message.push_str(&format!(
                            " (the response body went on past {} KiB: the rest was not read)",
                            MAX_RESPONSE_BODY_BYTES >> 10
                        ));
                    }
                    record.response_headers = headers;
                    record.response_body = Some(text);
                    record.response_body_cut = body.cut;
                }
                Err(outcome) => record.outcome = outcome,
            }
            let mut retry = match (record.status, record.outcome.kind) {
                (_, Kind::Cancelled) => false,
                (Some(status), _) => retry::retryable_status(status),
                (None, _) => true,
            };
            let retry_after = record
                .response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                .and_then(|(_, v)| retry::parse_retry_after(v, timestamp::now_millis()));
            let cap = self.config.policy.cap;
            if let Some(after) = retry_after.filter(|after| retry && *after > cap) {
                // Waiting the cap and asking again would only be refused again: say so instead.
                retry = false;
                record.outcome.message.push_str(&format!(
                    " (Retry-After asks for {} s, more than the {} s this console waits: not retried; send it again later)",
                    after.as_secs(),
                    cap.as_secs()
                ));
            }
            progress(Progress::Finished(&record));
            attempts.push(record);
            if !retry || number > self.config.policy.max_retries {
                break;
            }
            let wait = self.config.policy.wait(number, retry_after, retry::jitter());
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => {
                    let outcome = Outcome::transport(Kind::Cancelled, "cancelled while waiting to retry");
                    return SendResult { attempts, outcome };
                }
            }
            waited_ms = wait.as_millis() as u64;
        }
        let outcome = attempts
            .last()
            .map(|a| a.outcome.clone())
            .unwrap_or_else(|| Outcome::transport(Kind::Cancelled, "not sent"));
        SendResult { attempts, outcome }
    }
}

/// A response's headers and body with every copy of the token masked.
fn masked_response(
    token: &Secret,
    headers: Vec<(String, String)>,
    body: String,
) -> (Vec<(String, String)>, String) {
    let mask = |text: String| match token.mask_in(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(masked) => masked,
    };
    (headers.into_iter().map(|(name, value)| (name, mask(value))).collect(), mask(body))
}

/// The most of a response body read and kept: Reddit's answers are a few hundred bytes, so a
/// longer body (an endless stream, a proxy's error page) is cut there and the rest left unread;
/// the history's lines, which keep it for every attempt, stay small.
pub const MAX_RESPONSE_BODY_BYTES: usize = 64 << 10;

/// A response body, read up to a cap.
pub(crate) struct Body {
    /// What was read, as text (invalid UTF-8 replaced).
    pub text: String,
    /// The body went on past the cap.
    pub cut: bool,
}

/// Reads at most `cap` bytes of the body (cut at a character boundary); what follows is not read
/// (the connection is dropped with the response).
pub(crate) async fn read_body(response: &mut reqwest::Response, cap: usize) -> Result<Body, reqwest::Error> {
    let mut bytes = Vec::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = cap - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        bytes.extend_from_slice(&chunk);
    }
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if cut && text.ends_with(char::REPLACEMENT_CHARACTER) {
        // The cut went through a character.
        text.pop();
    }
    Ok(Body { text, cut })
}

fn transport_outcome(e: &reqwest::Error) -> Outcome {
    if e.is_timeout() {
        Outcome::transport(Kind::Timeout, "no response within the timeout")
    } else if e.is_connect() {
        Outcome::transport(Kind::ConnectionFailed, format!("could not connect: {}", root_cause(e)))
    } else {
        Outcome::transport(
            Kind::ConnectionFailed,
            format!("the connection closed without a response: {}", root_cause(e)),
        )
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Keeps requests at least `interval` apart (Event Testing takes at most 10 requests a second).
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    last: Option<Instant>,
}

impl Pacer {
    /// A pacer allowing `per_second` requests a second.
    pub fn per_second(per_second: u32) -> Pacer {
        Pacer { interval: Duration::from_secs(1) / per_second.max(1), last: None }
    }

    /// Waits until the next request may leave.
    pub async fn ready(&mut self) {
        if let Some(last) = self.last {
            let next = last + self.interval;
            let now = Instant::now();
            if next > now {
                tokio::time::sleep(next - now).await;
            }
        }
        self.last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pacer_keeps_ten_requests_a_second() {
        let mut pacer = Pacer::per_second(10);
        let started = Instant::now();
        for _ in 0..6 {
            pacer.ready().await;
        }
        // Five gaps of 100 ms.
        assert!(started.elapsed() >= Duration::from_millis(500), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn cancel_wakes_a_waiter() {
        let cancel = Cancel::default();
        let c = cancel.clone();
        let waiter = tokio::spawn(async move { c.cancelled().await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        cancel.cancel();
        tokio::time::timeout(Duration::from_secs(1), waiter).await.unwrap().unwrap();
        assert!(cancel.is_cancelled());
    }

    #[test]
    fn a_proxy_setting_must_be_a_url() {
        let config =
            ClientConfig { proxy: ProxySetting::Url("::not a url::".into()), ..ClientConfig::default() };
        assert!(Client::new(config).unwrap_err().to_string().starts_with("proxy"));
        assert!(
            Client::new(ClientConfig {
                proxy: ProxySetting::Url("http://127.0.0.1:3128".into()),
                ..ClientConfig::default()
            })
            .is_ok()
        );
    }
}
