//! Segment's Public API over HTTP: the requests [`crate::workspace::segment::api`] describes,
//! with the Segment token as a sensitive bearer header (never logged, never in an error).

use std::time::Duration;

use serde_json::Value;

use crate::secret::Secret;
use crate::workspace::segment::api::{self, ApiError, BadId, Pages, Region};
use crate::workspace::segment::{ImportError, MEDIA_TYPE};

/// Why a Public API call failed.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Id(#[from] BadId),
    #[error(transparent)]
    Answer(#[from] ImportError),
    #[error("the Segment token contains a character an HTTP header cannot carry (a line break?)")]
    BadToken,
    #[error("--endpoint: {0}")]
    Endpoint(&'static str),
    #[error("cannot reach Segment's Public API at {url}: {message}")]
    Transport { url: String, message: String },
    #[error("Segment's answer from {url} is larger than {} MiB, more than a destination holds", MAX_ANSWER_BYTES >> 20)]
    TooLarge { url: String },
}

/// The most of one Public API answer read: a page of subscriptions or a destination is a few
/// hundred KB; the files `import-segment` reads are held to the same 16 MiB.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// [`crate::reddit::settings::endpoint_problem`], and: the token goes in clear (`http://`) only
/// to this machine.
fn endpoint_problem(url: &str) -> Option<&'static str> {
    crate::reddit::settings::endpoint_problem(url).or_else(|| {
        let host = url.strip_prefix("http://")?.split('/').next()?;
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        (!local).then_some(
            "http:// only to this machine (127.0.0.1, localhost, [::1]); the token needs https:// elsewhere",
        )
    })
}

/// A Public API client for one workspace's token.
#[derive(Debug)]
pub struct SegmentApi {
    http: reqwest::Client,
    base: String,
    auth: reqwest::header::HeaderValue,
    token: Secret,
}

impl SegmentApi {
    /// A client for `region`, or for `endpoint` (a local fake in tests) when given.
    pub fn new(token: &Secret, region: Region, endpoint: Option<&str>) -> Result<SegmentApi, SegmentError> {
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| SegmentError::BadToken)?;
        auth.set_sensitive(true);
        if let Some(problem) = endpoint.and_then(endpoint_problem) {
            return Err(SegmentError::Endpoint(problem));
        }
        let base = endpoint.unwrap_or(region.base_url()).trim_end_matches('/').to_string();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(crate::reddit::settings::default_user_agent())
            .build()
            .map_err(|e| SegmentError::Transport { url: base.clone(), message: e.to_string() })?;
        Ok(SegmentApi { http, base, auth, token: token.clone() })
    }

    /// Sends one request; the answer's text on 2xx, else Segment's error explained.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<String, SegmentError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method, &url)
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .header(reqwest::header::ACCEPT, MEDIA_TYPE);
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE).body(body.to_string());
        }
        let transport = |e: reqwest::Error| SegmentError::Transport {
            url: url.clone(),
            message: e.without_url().to_string(),
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = super::client::read_body(&mut response, MAX_ANSWER_BYTES).await.map_err(transport)?;
        if body.cut {
            return Err(SegmentError::TooLarge { url });
        }
        let text = body.text;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        // Segment's words are shown; never the token, should an answer repeat it.
        Err(api::explain(status, &self.token.mask_in(&text), what, |name| {
            headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        })
        .into())
    }

    /// `GET /destinations/{id}`: the answer's text.
    pub async fn destination(&self, id: &str) -> Result<String, SegmentError> {
        let what = format!("destination {id:?}");
        self.call(reqwest::Method::GET, &api::destination_path(id)?, None, &what).await
    }

    /// Every page of `GET /destinations/{id}/subscriptions`.
    pub async fn subscriptions(&self, id: &str) -> Result<Pages, SegmentError> {
        let what = format!("destination {id:?}");
        let mut pages = Pages::default();
        let mut cursor = None;
        loop {
            let path = api::subscriptions_page_path(id, cursor.as_deref())?;
            let answer = self.call(reqwest::Method::GET, &path, None, &what).await?;
            cursor = pages.add(&answer)?;
            if cursor.is_none() {
                return Ok(pages);
            }
        }
    }

    /// The destination and all its subscriptions: the answers [`crate::workspace::segment::import`]
    /// reads, (subscriptions, destination).
    pub async fn fetch(&self, id: &str) -> Result<(String, String), SegmentError> {
        let destination = self.destination(id).await?;
        Ok((self.subscriptions(id).await?.into_answer(), destination))
    }

    /// `POST /destinations/{id}/subscriptions`.
    pub async fn create(&self, id: &str, body: &Value) -> Result<(), SegmentError> {
        let what = format!("destination {id:?}");
        self.call(reqwest::Method::POST, &api::create_path(id)?, Some(body), &what).await.map(drop)
    }

    /// `PATCH /destinations/{id}/subscriptions/{subscription}`.
    pub async fn update(&self, id: &str, subscription: &str, body: &Value) -> Result<(), SegmentError> {
        let what = format!("subscription {subscription:?} of destination {id:?}");
        let path = api::update_path(id, subscription)?;
        self.call(reqwest::Method::PATCH, &path, Some(body), &what).await.map(drop)
    }
}
