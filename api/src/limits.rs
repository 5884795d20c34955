//! Back-pressure on the business routes (`/api/v1/…`): rate limits per client IP and
//! per principal (`tower_governor`), a global cap on requests in flight that sheds the
//! excess at once (503 + `Retry-After`) instead of queueing it, and a timeout per
//! request. Health, readiness and metrics are never limited: an overloaded replica must
//! still answer its probes.

use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::BoxError;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_governor::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::middleware::Next;

use crate::auth::Verified;
use crate::extract::BODY_LIMIT;
use crate::problem::{Problem, ProblemType};
use crate::state::AppState;

pub use crate::config::Limits;

/// The client's address: the peer, or the entry `hops` from the right of
/// `X-Forwarded-For` when trusted proxies stand in front.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    pub trusted_proxy_hops: usize,
}

impl ClientIp {
    fn of<T>(&self, request: &Request<T>) -> IpAddr {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if self.trusted_proxy_hops == 0 {
            return peer;
        }
        let forwarded: Vec<IpAddr> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse().ok())
            .collect();
        forwarded
            .len()
            .checked_sub(self.trusted_proxy_hops)
            .and_then(|i| forwarded.get(i).copied())
            .unwrap_or(peer)
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(self.of(request))
    }
}

/// Who is calling: a keyed hash of the verified token's subject (every token of one
/// user, however its header is spelt, spends one budget), or the client IP when there
/// is no valid token (a forged token spends its sender's address's budget).
#[derive(Debug, Clone)]
pub struct Principal {
    client_ip: ClientIp,
    hasher: std::hash::RandomState,
}

/// Key of [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKey {
    Subject(u64),
    Anonymous(IpAddr),
}

impl KeyExtractor for Principal {
    type Key = PrincipalKey;

    fn extract<T>(&self, request: &Request<T>) -> Result<Self::Key, GovernorError> {
        let subject = request
            .extensions()
            .get::<Verified>()
            .and_then(|v| v.0.as_ref().ok())
            .map(|claims| claims.sub.as_str());
        Ok(match subject {
            Some(subject) => PrincipalKey::Subject(self.hasher.hash_one(subject)),
            None => PrincipalKey::Anonymous(self.client_ip.of(request)),
        })
    }
}

/// Middleware before the per-principal limit: verifies the bearer token (a cached
/// check for a token seen in the last minutes) and keeps the outcome for the limit and
/// the handler's extractors.
async fn identify(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: Next,
) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        let verified = crate::auth::verify(request.headers(), &state).await;
        request.extensions_mut().insert(verified);
    }
    next.run(request).await
}

/// The most of an over-limit body read (and thrown away) before answering 413, so that
/// the connection closes on a body read to its end: closing a connection with unread
/// bytes resets it, and the client may then never see the 413.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// A body whole when it is at most `limit` bytes; past it, the rest is read and dropped
/// (at most [`DRAIN_LIMIT`] in all) and the answer is an error.
async fn read_whole(body: axum::body::Body, limit: usize) -> Result<axum::body::Bytes, ()> {
    use futures::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0_usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(drop)?;
        seen = seen.saturating_add(chunk.len());
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_LIMIT {
            return Err(());
        } else {
            kept = Vec::new();
        }
    }
    if seen > limit {
        Err(())
    } else {
        Ok(axum::body::Bytes::from(kept))
    }
}

/// Middleware before the in-flight cap: reads the whole body (at most [`BODY_LIMIT`])
/// within `body_read_timeout`, so that a client trickling its body holds a connection,
/// not one of the slots every caller shares. Too slow: 408; too large: 413.
async fn read_body_first(
    State(timeout): State<Duration>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
        // Refused from its length, before it is even read: the connection then closes
        // on an unread body, which the client must not send its next request on.
        return closing(Problem::payload_too_large(BODY_LIMIT).into_response());
    }
    let has_body =
        announced.is_some_and(|n| n > 0) || parts.headers.contains_key(header::TRANSFER_ENCODING);
    if !has_body {
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    }
    match tokio::time::timeout(timeout, read_whole(body, BODY_LIMIT)).await {
        Ok(Ok(bytes)) => {
            next.run(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
            .await
        }
        Ok(Err(())) => {
            // Beyond the limit, or the connection broke mid-body.
            closing(Problem::payload_too_large(BODY_LIMIT).into_response())
        }
        Err(_) => {
            metrics::counter!("pge_slow_bodies_total").increment(1);
            let response = Problem::new(
                ProblemType::BodyTimeout,
                format!(
                    "the request body did not arrive within {:.1} s; send it again",
                    timeout.as_secs_f64()
                ),
            )
            .into_response();
            closing(response)
        }
    }
}

/// `response` with `Connection: close`: sent when the request's body was not read to its
/// end, so that the client opens a new connection for its next request instead of
/// sending it on this one, which the server closes.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn rate_limited(error: GovernorError) -> Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            metrics::counter!("pge_rate_limited_total").increment(1);
            let retry_after = wait_time.max(1);
            let mut response = Problem::new(
                ProblemType::RateLimited,
                format!("slow down: retry in {retry_after} s"),
            )
            .into_response();
            if let Ok(value) = retry_after.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        other => Problem::internal(other.to_string()).into_response(),
    }
}

async fn overloaded(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        metrics::counter!("pge_requests_timed_out_total").increment(1);
        Problem::service_unavailable(ProblemType::RequestTimeout,
            "the request took too long and was abandoned; retry it (with the same Idempotency-Key for a submission)",
            1,
        )
        .into_response()
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        metrics::counter!("pge_requests_shed_total").increment(1);
        let mut response = Problem::service_unavailable(
            ProblemType::Overloaded,
            "the service is at capacity; retry in a moment",
            1,
        )
        .into_response();
        response.extensions_mut().insert(crate::telemetry::Shed);
        response
    } else {
        Problem::internal(error.to_string()).into_response()
    }
}

fn quota(per_second: u32, burst_seconds: u32) -> Option<(Duration, u32)> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = rate.get().saturating_mul(burst_seconds.max(1));
    Some((Duration::from_secs(1) / rate.get(), burst))
}

/// Forgets, every few seconds, the keys whose budget is full again: without it every
/// distinct token or address ever seen (a flood of forged tokens) would stay in memory.
/// The task ends when the router holding the limiter is dropped.
fn prune<L: Send + Sync + 'static>(limiter: &std::sync::Arc<L>, sweep: fn(&L)) {
    let weak = std::sync::Arc::downgrade(limiter);
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let Some(limiter) = weak.upgrade() else {
                return;
            };
            sweep(&limiter);
        }
    });
}

const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// The public guarantee check's own limit: `guarantee_checks_per_minute` per client IP,
/// in bursts of as many (docs/SECURITY.md: with 60 random bits, trying identifiers at
/// that pace finds nothing in the lifetime of the scheme).
pub fn apply_checks(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let limits = &state.limits;
    let per_minute = limits.guarantee_checks_per_minute;
    let Some(rate) = NonZeroU32::new(per_minute) else {
        return router;
    };
    let Some(config) = GovernorConfigBuilder::default()
        .period(Duration::from_secs(60) / rate.get())
        .burst_size(rate.get())
        .key_extractor(ClientIp {
            trusted_proxy_hops: limits.trusted_proxy_hops,
        })
        .finish()
    else {
        return router;
    };
    prune(config.limiter(), |limiter| {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    });
    router.layer(
        tower_governor::GovernorLayer::new(config).error_handler(|error| match error {
            GovernorError::TooManyRequests { wait_time, .. } => {
                metrics::counter!("pge_guarantee_checks_total", "result" => "rate_limited")
                    .increment(1);
                crate::routes::guarantees::too_many_checks(wait_time.max(1))
            }
            other => Problem::internal(other.to_string()).into_response(),
        }),
    )
}

/// Wraps the business routes with the limits.
pub fn apply(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let limits = &state.limits;
    let client_ip = ClientIp {
        trusted_proxy_hops: limits.trusted_proxy_hops,
    };
    // Innermost first: the timeout bounds the handler, the in-flight cap sheds what
    // exceeds it, then the per-principal and per-IP limits (outermost: refused
    // cheapest).
    let mut router = router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded))
            .load_shed()
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                limits.max_in_flight.max(1),
            ))
            .timeout(limits.request_timeout),
    );
    router = router.layer(axum::middleware::from_fn_with_state(
        limits.body_read_timeout,
        read_body_first,
    ));
    if let Some((period, burst)) = quota(limits.per_principal_per_second, limits.burst_seconds)
        && let Some(config) = GovernorConfigBuilder::default()
            .period(period)
            .burst_size(burst)
            .key_extractor(Principal {
                client_ip,
                hasher: std::hash::RandomState::new(),
            })
            .finish()
    {
        prune(config.limiter(), |limiter| {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        });
        router =
            router.layer(tower_governor::GovernorLayer::new(config).error_handler(rate_limited));
    }
    router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        identify,
    ));
    if let Some((period, burst)) = quota(limits.per_ip_per_second, limits.burst_seconds)
        && let Some(config) = GovernorConfigBuilder::default()
            .period(period)
            .burst_size(burst)
            .key_extractor(client_ip)
            .finish()
    {
        prune(config.limiter(), |limiter| {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        });
        router =
            router.layer(tower_governor::GovernorLayer::new(config).error_handler(rate_limited));
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded: Option<&str>) -> Request<()> {
        let mut builder = Request::builder().uri("/api/v1/banks");
        if let Some(f) = forwarded {
            builder = builder.header("x-forwarded-for", f);
        }
        let mut request = builder.body(()).expect("request");
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 7], 4321))));
        request
    }

    #[test]
    fn client_ip_trusts_only_the_configured_hops() {
        let direct = ClientIp {
            trusted_proxy_hops: 0,
        };
        assert_eq!(
            direct.of(&request(Some("1.2.3.4"))),
            "10.0.0.7".parse::<IpAddr>().expect("ip")
        );
        let behind_two = ClientIp {
            trusted_proxy_hops: 2,
        };
        // spoofed, client (added by CloudFront), CloudFront (added by the ALB)
        assert_eq!(
            behind_two.of(&request(Some("6.6.6.6, 81.2.69.160, 130.176.1.1"))),
            "81.2.69.160".parse::<IpAddr>().expect("ip")
        );
        // Fewer entries than hops: the peer.
        assert_eq!(
            behind_two.of(&request(Some("81.2.69.160"))),
            "10.0.0.7".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(
            behind_two.of(&request(None)),
            "10.0.0.7".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn principals_are_keyed_by_verified_subject_then_ip() {
        let principal = Principal {
            client_ip: ClientIp {
                trusted_proxy_hops: 0,
            },
            hasher: std::hash::RandomState::new(),
        };
        let with = |verified: Result<&str, infra::identity::AuthError>| {
            let mut r = request(None);
            r.extensions_mut()
                .insert(Verified(verified.map(|sub| infra::identity::TokenClaims {
                    sub: sub.to_owned(),
                    token_use: Some("access".to_owned()),
                    client_id: None,
                    groups: Vec::new(),
                    bank_id: None,
                    exp: 0,
                })));
            principal.extract(&r).expect("key")
        };
        assert_eq!(with(Ok("alice")), with(Ok("alice")));
        assert_ne!(with(Ok("alice")), with(Ok("bob")));
        let anonymous = PrincipalKey::Anonymous("10.0.0.7".parse().expect("ip"));
        assert_eq!(
            with(Err(infra::identity::AuthError::BadSignature)),
            anonymous
        );
        assert_eq!(principal.extract(&request(None)).expect("key"), anonymous);
    }

    #[test]
    fn quotas() {
        assert_eq!(quota(0, 2), None);
        assert_eq!(quota(50, 2), Some((Duration::from_millis(20), 100)));
    }
}
