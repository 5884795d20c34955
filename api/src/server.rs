//! The HTTP server: accepting, hyper's timers against slow clients, graceful shutdown.

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::routes;
use crate::state::AppState;

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests
/// finish (connections idle between requests are closed at once).
///
/// axum's own `serve` sets no timer on hyper, so a client that sends its headers one
/// byte at a time (slow loris) would hold its connection for ever: here hyper closes a
/// connection that has not sent a request's headers within the configured
/// `header_read_timeout`.
///
/// # Errors
/// Never in practice: a failed `accept` (out of file descriptors…) is logged and
/// retried after a pause rather than ending the server.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let header_read_timeout = state.limits.header_read_timeout;
    let router = routes::router(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let service_for = |peer: std::net::SocketAddr| {
        let router = router.clone();
        hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(axum::body::Body::new))
            },
        )
    };
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if is_connection_error(&error) => continue,
                Err(error) => {
                    tracing::error!(%error, "accept failed; pausing");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are written whole: no reason to wait for an ACK before the next one.
        let _ = stream.set_nodelay(true);
        let connection =
            graceful.watch(http.serve_connection(TokioIo::new(stream), service_for(peer)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    // Connections the kernel completed before we stop listening would be reset when the
    // listener closes: answer their one request each (no keep-alive) instead. New
    // handshakes are stopped first, so that none completes between the last accept and
    // the close.
    stop_handshakes(&listener);
    tokio::time::sleep(HANDSHAKE_SETTLE).await;
    let mut last_ones = http.clone();
    last_ones.keep_alive(false);
    let mut backlog = tokio::task::JoinSet::new();
    if let Ok(listener) = listener.into_std() {
        while let Ok((stream, peer)) = listener.accept() {
            let Ok(stream) = stream
                .set_nonblocking(true)
                .and_then(|()| tokio::net::TcpStream::from_std(stream))
            else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            backlog.spawn(last_ones.serve_connection(TokioIo::new(stream), service_for(peer)));
        }
    }
    // A connection accepted an instant ago whose request is not read yet looks idle to
    // hyper, and a graceful shutdown closes idle connections at once: let such requests
    // be read (and answered) before telling every connection to finish.
    tokio::time::sleep(SHUTDOWN_SETTLE).await;
    graceful.shutdown().await;
    while backlog.join_next().await.is_some() {}
    Ok(())
}

/// Makes the listening socket drop, from now on, every TCP segment with the SYN flag (a
/// classic packet filter of four instructions): a new connection's SYN goes unanswered,
/// and its client's retransmission, a second later, finds the socket closed and is
/// refused. The handshakes already under way complete (their last ACK passes) and join
/// the accept queue, which is then drained. Without it, a handshake completed between
/// the last `accept` and the close would be reset, maybe with its request already sent.
/// Linux only; elsewhere (and if the kernel refuses the filter) the close stays as it was.
fn stop_handshakes(listener: &TcpListener) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use socket2::SockFilter;
        // A TCP socket's filter sees the segment from its TCP header: byte 13 holds the
        // flags, SYN is 0x02. `ldb [13]; jset #0x02, drop; ret #-1 (keep); drop: ret #0`.
        const BPF_LD_B_ABS: u16 = 0x30;
        const BPF_JMP_JSET_K: u16 = 0x45;
        const BPF_RET_K: u16 = 0x06;
        let drop_syn = [
            SockFilter::new(BPF_LD_B_ABS, 0, 0, 13),
            SockFilter::new(BPF_JMP_JSET_K, 1, 0, 0x02),
            SockFilter::new(BPF_RET_K, 0, 0, u32::MAX),
            SockFilter::new(BPF_RET_K, 0, 0, 0),
        ];
        if let Err(error) = socket2::SockRef::from(listener).attach_filter(&drop_syn) {
            tracing::warn!(%error, "could not stop new connections before closing the listener");
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = listener;
}

/// Time given to the handshakes under way when new ones are stopped, before the accept
/// queue is drained for the last time.
const HANDSHAKE_SETTLE: Duration = Duration::from_millis(50);

/// Time between closing the listener and closing idle connections, at shutdown.
const SHUTDOWN_SETTLE: Duration = Duration::from_millis(300);

/// Errors of one connection that must not stop the accept loop.
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
