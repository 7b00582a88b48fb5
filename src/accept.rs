//! The accept loop the console's two HTTP servers share (the emulator and the collection
//! endpoint): each connection on a task of its own, until a stop is asked for; then the
//! connections in flight get a grace period and the rest are aborted; each connection is
//! HTTP/1.1 with a header timeout ([`http1`]). [`Running`] is a server's
//! handle: dropping it stops the server, [`Running::shutdown`] also waits for it.

use std::future::Future;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How long connections in flight may finish after a stop.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A server serving in the background.
pub(crate) struct Running {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Serves `listener` on a task of its own (see [`serve`]). Needs a Tokio runtime.
    pub(crate) fn spawn<F, Fut>(listener: TcpListener, connection: F) -> Running
    where
        F: Fn(TcpStream, watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, stopped, connection));
        Running { stop, task: Some(task) }
    }

    /// Stops accepting, lets the connections in flight finish (up to [`SHUTDOWN_GRACE`]), and
    /// returns.
    pub(crate) async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Accepts connections on `listener`, serving each with `connection` (handed the stop signal
/// too), until `stop` turns true or its sender is gone.
async fn serve<F, Fut>(listener: TcpListener, mut stop: watch::Receiver<bool>, connection: F)
where
    F: Fn(TcpStream, watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, stop.clone()));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = stopped(&mut stop) => break,
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} })
        .await;
    connections.abort_all();
}

/// Serves one HTTP/1.1 connection with `service`, headers read within `header_timeout`; on a
/// stop, lets the request in flight finish and closes.
pub(crate) async fn http1<S>(
    stream: TcpStream,
    header_timeout: Duration,
    service: S,
    mut stop: watch::Receiver<bool>,
) where
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let _ = stream.set_nodelay(true);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Resolves once a stop is asked for (or the server's handle is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
