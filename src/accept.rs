//! The accept loop the console's two HTTP servers share (the emulator and the collection
//! endpoint): each connection on a task of its own, until a stop is asked for; then the
//! connections in flight get a grace period and the rest are aborted. [`Running`] is a server's
//! handle: dropping it stops the server, [`Running::shutdown`] also waits for it.

use std::future::Future;
use std::time::Duration;

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

/// Resolves once a stop is asked for (or the server's handle is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
