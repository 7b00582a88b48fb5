//! One send session, set up the same way for the app and for `send` / `replay`: where requests
//! go, which token they carry, the HTTP client, and v3 Event Testing's pace.

use std::time::Duration;

use super::client::{Cancel, Client, ClientConfig, ClientError, Pacer, ProxySetting};
use super::dispatch::{Dispatcher, Endpoint};
use crate::emulator::{self, Emulator};
use crate::engine::Batching;
use crate::reddit::settings::{PLACEHOLDER_PIXEL, endpoint_problem};
use crate::reddit::{ApiVersion, Settings};
use crate::secret::Secret;
use crate::secret::tokens::TOKEN_ENV;
use crate::store::history::History;

/// Where a send was asked to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Reddit,
    /// An emulator started in-process for the session.
    Emulator,
    /// Another base URL.
    Url(String),
}

impl Target {
    /// `reddit`, `emulator`, or an http(s) base URL (a trailing `/` dropped).
    pub fn parse(endpoint: &str) -> Result<Target, SessionError> {
        match endpoint {
            "reddit" => Ok(Target::Reddit),
            "emulator" => Ok(Target::Emulator),
            url if url.starts_with("http://") || url.starts_with("https://") => match endpoint_problem(url) {
                Some(problem) => Err(SessionError::BadUrl(problem)),
                None => Ok(Target::Url(url.trim_end_matches('/').to_string())),
            },
            other => Err(SessionError::UnknownEndpoint(other.to_string())),
        }
    }
}

/// Why a session could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("--endpoint: {0}")]
    BadUrl(&'static str),
    #[error("--endpoint {0:?}: expected reddit, emulator or an http(s) URL")]
    UnknownEndpoint(String),
    #[error(
        "not sent: the Pixel ID {PLACEHOLDER_PIXEL} is the local emulator's placeholder; Reddit has no such \
         pixel. Set your Pixel ID in the app's Settings or the workspace"
    )]
    PlaceholderPixel,
    #[error("local emulator: {0}")]
    Emulator(std::io::Error),
    /// No token for an endpoint other than the emulator; names the environment variable asked.
    #[error(
        "no conversion token: set {0} (or pass --token-env VAR), save one for this pixel in the app's \
         Settings, or send to --endpoint emulator"
    )]
    NoToken(String),
    #[error(
        "this would be a production send (test mode off / no test id) that counts in your campaigns: add \
         --production to send it, or turn test mode on"
    )]
    Production,
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// What a session is built from; [`Setup::start`] or [`Setup::build`] checks it.
pub struct Setup<'a> {
    settings: &'a Settings,
    token: Option<Secret>,
    token_env: String,
    proxy: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    production: bool,
}

impl<'a> Setup<'a> {
    /// The user's token (`None`: the emulator's own, and no send elsewhere).
    pub fn token(mut self, token: Option<Secret>) -> Setup<'a> {
        self.token = token;
        self
    }

    /// The environment variable the missing-token error names (default `REDDIT_CONVERSION_TOKEN`).
    pub fn token_env(mut self, var: &str) -> Setup<'a> {
        self.token_env = var.to_string();
        self
    }

    /// A proxy URL for every request (default: the environment's); the emulator never gets one.
    pub fn proxy(mut self, url: Option<String>) -> Setup<'a> {
        self.proxy = url;
        self
    }

    /// The connection and whole-request timeouts.
    pub fn timeouts(mut self, connect: Duration, whole: Duration) -> Setup<'a> {
        self.connect_timeout = connect;
        self.timeout = whole;
        self
    }

    /// Allows a send to Reddit that counts in campaigns (test mode off / no test id).
    pub fn production(mut self, allowed: bool) -> Setup<'a> {
        self.production = allowed;
        self
    }

    /// Starts an in-process emulator if `target` asks for one, then [`Setup::build`]s.
    pub async fn start(self, target: Target) -> Result<Session<'a>, SessionError> {
        let (endpoint, local) = match target {
            Target::Reddit => (Endpoint::Reddit, None),
            Target::Url(url) => (Endpoint::Url(url), None),
            Target::Emulator => {
                let emu = Emulator::start_local().await.map_err(SessionError::Emulator)?;
                (Endpoint::Emulator(emu.base_url()), Some(emu))
            }
        };
        let mut session = self.build(endpoint)?;
        session.local = local;
        Ok(session)
    }

    /// A session sending to `endpoint`: refuses the placeholder pixel on Reddit, a missing token
    /// (the emulator gets its own), and an unallowed production send.
    pub fn build(self, endpoint: Endpoint) -> Result<Session<'a>, SessionError> {
        let settings = self.settings;
        if endpoint == Endpoint::Reddit && settings.pixel_id.trim() == PLACEHOLDER_PIXEL {
            return Err(SessionError::PlaceholderPixel);
        }
        let token = match (self.token, &endpoint) {
            (Some(token), _) => token,
            (None, Endpoint::Emulator(_)) => Secret::new(emulator::LOCAL_TOKEN).expect("non-blank"),
            (None, _) => return Err(SessionError::NoToken(self.token_env)),
        };
        if endpoint.is_reddit() && !settings.is_test() && !self.production {
            return Err(SessionError::Production);
        }
        let proxy = match (&endpoint, self.proxy) {
            (Endpoint::Emulator(_), _) => ProxySetting::Off,
            (_, Some(url)) => ProxySetting::Url(url),
            (_, None) => ProxySetting::Environment,
        };
        let client = Client::new(ClientConfig {
            proxy,
            user_agent: settings.user_agent(),
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            ..ClientConfig::default()
        })?;
        Ok(Session { settings, endpoint, token, client, local: None })
    }
}

/// Everything a send needs, checked.
pub struct Session<'a> {
    settings: &'a Settings,
    endpoint: Endpoint,
    token: Secret,
    client: Client,
    /// The emulator started for this session, shut down by [`Session::close`].
    local: Option<Emulator>,
}

impl<'a> Session<'a> {
    /// Sets up a session for `settings`.
    pub fn setup(settings: &'a Settings) -> Setup<'a> {
        let defaults = ClientConfig::default();
        Setup {
            settings,
            token: None,
            token_env: TOKEN_ENV.to_string(),
            proxy: None,
            connect_timeout: defaults.connect_timeout,
            timeout: defaults.timeout,
            production: false,
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// v3 Event Testing shows only single-event requests, at most 10 a second.
    fn event_testing(&self) -> bool {
        self.settings.api_version == ApiVersion::V3 && self.settings.active_test_id().is_some()
    }

    /// The batching to build with: `asked`, or none at all for Event Testing.
    pub fn batching(&self, asked: Batching) -> Batching {
        if self.event_testing() { Batching::Never } else { asked }
    }

    /// A dispatcher for this session's requests, paced for Event Testing.
    pub fn dispatcher<'s>(&'s self, history: Option<&'s History>, cancel: Cancel) -> Dispatcher<'s> {
        Dispatcher {
            client: &self.client,
            history,
            token: &self.token,
            endpoint: &self.endpoint,
            settings: self.settings,
            cancel,
            pacer: self.event_testing().then(|| Pacer::per_second(10)),
            history_errors: Vec::new(),
        }
    }

    /// Shuts down the emulator started for this session, if any.
    pub async fn close(self) {
        if let Some(emu) = self.local {
            emu.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pixel: &str) -> Settings {
        Settings { pixel_id: pixel.into(), ..Settings::default() }
    }

    fn refused(setup: Setup<'_>, endpoint: Endpoint) -> String {
        setup.build(endpoint).err().expect("refused").to_string()
    }

    #[test]
    fn targets_are_reddit_the_emulator_or_an_http_url() {
        assert_eq!(Target::parse("reddit").unwrap(), Target::Reddit);
        assert_eq!(Target::parse("emulator").unwrap(), Target::Emulator);
        assert_eq!(
            Target::parse("http://127.0.0.1:7878/").unwrap(),
            Target::Url("http://127.0.0.1:7878".into())
        );
        assert_eq!(
            Target::parse("ftp://x").unwrap_err().to_string(),
            r#"--endpoint "ftp://x": expected reddit, emulator or an http(s) URL"#
        );
        assert!(Target::parse("https://").unwrap_err().to_string().starts_with("--endpoint: "));
    }

    #[test]
    fn the_emulator_gets_its_own_token_and_no_proxy_elsewhere_a_token_is_needed() {
        let s = settings("a2_x");
        let emulator = Endpoint::Emulator("http://127.0.0.1:1".into());
        let proxy = Some("http://127.0.0.1:3128".to_string());
        let session = Session::setup(&s).proxy(proxy.clone()).build(emulator).unwrap();
        assert_eq!(session.token().expose(), emulator::LOCAL_TOKEN);
        assert_eq!(session.client.config().proxy, ProxySetting::Off);
        let url = Endpoint::Url("http://127.0.0.1:1".into());
        let token = Secret::new("user_token_1234");
        let session = Session::setup(&s).token(token).proxy(proxy).build(url.clone()).unwrap();
        assert_eq!(session.token().expose(), "user_token_1234");
        assert_eq!(session.client.config().proxy, ProxySetting::Url("http://127.0.0.1:3128".into()));
        assert_eq!(
            refused(Session::setup(&s).token_env("MY_TOKEN"), url),
            "no conversion token: set MY_TOKEN (or pass --token-env VAR), save one for this pixel in the \
             app's Settings, or send to --endpoint emulator"
        );
    }

    #[test]
    fn reddit_refuses_the_placeholder_pixel_and_an_unallowed_production_send() {
        let token = || Secret::new("user_token_1234");
        let placeholder = settings(PLACEHOLDER_PIXEL);
        assert_eq!(
            refused(Session::setup(&placeholder).token(token()), Endpoint::Reddit),
            format!(
                "not sent: the Pixel ID {PLACEHOLDER_PIXEL} is the local emulator's placeholder; Reddit has \
                 no such pixel. Set your Pixel ID in the app's Settings or the workspace"
            )
        );
        let production = Settings { test_mode: false, ..settings("a2_x") };
        assert!(
            refused(Session::setup(&production).token(token()), Endpoint::Reddit).contains("--production")
        );
        assert!(Session::setup(&production).token(token()).production(true).build(Endpoint::Reddit).is_ok());
    }

    #[test]
    fn v3_event_testing_sends_single_events_paced() {
        let testing =
            Settings { api_version: ApiVersion::V3, test_id: Some("t2_x".into()), ..settings("a2_x") };
        let session =
            Session::setup(&testing).build(Endpoint::Emulator("http://127.0.0.1:1".into())).unwrap();
        assert_eq!(session.batching(Batching::All), Batching::Never);
        assert!(session.dispatcher(None, Cancel::default()).pacer.is_some());
        let v2 = settings("a2_x");
        let session = Session::setup(&v2).build(Endpoint::Emulator("http://127.0.0.1:1".into())).unwrap();
        assert_eq!(session.batching(Batching::All), Batching::All);
        assert!(session.dispatcher(None, Cancel::default()).pacer.is_none());
    }
}
