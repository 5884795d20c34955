//! Rate limits, load shedding and metrics, over HTTP.

use std::time::Duration;

use api::limits::Limits;
use futures::future::join_all;
use harness::{Backend, Options, TestApp, random_siren, submission};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

fn limited(limits: Limits) -> Options {
    Options {
        limits: Some(limits),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_over_its_rate_gets_429_and_others_do_not() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(Limits {
            per_principal_per_second: 5,
            burst_seconds: 1,
            ..Limits::default()
        }),
    )
    .await;
    let greedy = app.applicant("greedy");
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..20 {
        let reply = app.get("/api/v1/loan-requests", Some(&greedy)).await;
        statuses.push(reply.status.as_u16());
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(reply);
        }
    }
    let refused = refused.expect("some requests are refused");
    refused.assert_problem(429, "rate-limited");
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(
        statuses.iter().filter(|s| **s == 200).count() >= 5,
        "{statuses:?}"
    );
    // Another principal, and the probes, are unaffected.
    let other = app
        .get("/api/v1/loan-requests", Some(&app.applicant("patient")))
        .await;
    assert_eq!(other.status, StatusCode::OK);
    for _ in 0..20 {
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    }
    // The budget comes back: asked until it has (a refusal spends none of it), the last
    // time no sooner than 1.2 s from now.
    let deadline = std::time::Instant::now() + Duration::from_millis(1_200);
    loop {
        let late = std::time::Instant::now() >= deadline;
        let again = app.get("/api/v1/loan-requests", Some(&greedy)).await;
        if again.status == StatusCode::OK {
            break;
        }
        again.assert_problem(429, "rate-limited");
        assert!(!late, "still refused after 1.2 s: {}", again.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_in_flight_cap_requests_are_shed_and_none_half_done() {
    let app = TestApp::spawn_with(
        Backend::Postgres,
        limited(Limits {
            per_principal_per_second: 0,
            per_ip_per_second: 0,
            max_in_flight: 1,
            ..Limits::default()
        }),
    )
    .await;
    let tokens: Vec<String> = (0..40)
        .map(|i| app.applicant(&format!("crowd-{i}")))
        .collect();
    let bodies: Vec<_> = tokens
        .iter()
        .map(|_| submission(&random_siren(), 1_000_000))
        .collect();
    let replies = join_all(
        tokens
            .iter()
            .zip(&bodies)
            .map(|(token, body)| app.post("/api/v1/loan-requests", Some(token), body)),
    )
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let shed: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(created + shed.len(), 40, "only 201 or 503");
    assert!(
        created >= 1 && !shed.is_empty(),
        "created {created}, shed {}",
        shed.len()
    );
    shed[0].assert_problem(503, "overloaded");
    assert_eq!(shed[0].headers["retry-after"], "1");
    // Every 201 is committed, nothing else is.
    let db = app.db().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM loan_requests".to_owned(),
        ))
        .await
        .expect("count")
        .expect("row");
    assert_eq!(
        row.try_get::<i64>("", "n").expect("n"),
        i64::try_from(created).expect("count")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_per_route_and_status() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let token = app.applicant("metrics-owner");
    app.submit(&token, &submission(&random_siren(), 1_000_000))
        .await;
    // Refused submissions are counted by why, from a closed set.
    let invalid = app
        .post(
            "/api/v1/loan-requests",
            Some(&token),
            &submission("123", 1_000_000),
        )
        .await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        invalid.text
    );
    app.get("/api/v1/loan-requests/not-a-uuid", Some(&token))
        .await;
    // Not on the API's listener: only on the internal one.
    app.get("/metrics", None)
        .await
        .assert_problem(404, "not-found");
    let reply = app.metrics().await;
    assert_eq!(reply.status, StatusCode::OK);
    // And the internal listener serves nothing else.
    app.send(app.client.get(format!("{}/api/v1/banks", app.metrics_url)))
        .await
        .assert_problem(404, "not-found");
    assert!(
        reply.headers["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain"),
    );
    let text = reply.text;
    for needle in [
        "http_requests_total{method=\"POST\",route=\"/api/v1/loan-requests\",status=\"201\"}",
        "http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/loan-requests\",status=\"201\",le=\"0.05\"}",
        "route=\"/api/v1/loan-requests/{id}\"",
        "pge_db_pool_connections",
        "pge_outbox_messages{status=\"pending\"}",
        "pge_outbox_messages{status=\"dead\"}",
        "pge_outbox_oldest_pending_age_seconds ",
        "pge_submissions_total{outcome=\"created\"} 1\n",
        "pge_submissions_total{outcome=\"invalid\"} 1\n",
        "pge_build_info{version=\"",
        "pge_requests_shed_total 0\n",
    ] {
        assert!(text.contains(needle), "missing {needle} in:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_connection_is_closed_and_others_are_served_meanwhile() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(Limits {
            header_read_timeout: Duration::from_secs(1),
            ..Limits::default()
        }),
    )
    .await;
    let authority = app
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    // Ten connections that never finish their headers, one byte every 200 ms.
    let lorises = (0..10).map(|_| {
        let authority = authority.clone();
        tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(&authority)
                .await
                .expect("connect");
            let opened = std::time::Instant::now();
            stream
                .write_all(b"GET /api/v1/banks HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await
                .expect("write");
            let mut buffer = [0_u8; 256];
            // Bounded: 50 rounds of 200 ms; the server must close well before.
            for _ in 0..50 {
                tokio::select! {
                    read = stream.read(&mut buffer) => {
                        if matches!(read, Ok(0) | Err(_)) {
                            return Some(opened.elapsed());
                        }
                    }
                    () = tokio::time::sleep(Duration::from_millis(200)) => {
                        if stream.write_all(b"a").await.is_err() {
                            return Some(opened.elapsed());
                        }
                    }
                }
            }
            None
        })
    });
    let lorises: Vec<_> = lorises.collect();
    // Meanwhile a normal client is served at once.
    let reply = app.get("/api/v1/banks", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    for loris in join_all(lorises).await {
        let held = loris
            .expect("task")
            .expect("the server closed the connection");
        assert!(
            held >= Duration::from_millis(900) && held < Duration::from_secs(5),
            "held {held:?}"
        );
    }
    // A complete request on a fresh connection still works. (Not on the test client's
    // pooled connection: idle for as long as the lorises, it has met the same header-read
    // timeout, and reusing it races with the server closing it.)
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let healthz = fresh
        .get(format!("http://{authority}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(healthz.status(), StatusCode::OK);
}

/// Issue: 130 connections sending a body's first byte held every in-flight slot for the
/// whole request timeout. The body is now read before admission, under its own
/// deadline: the tricklers hold only their connections, and get 408.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_bodies_hold_no_in_flight_slot() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(Limits {
            body_read_timeout: Duration::from_secs(2),
            // The attack keeps under every rate limit; here all 130 connect at once.
            per_ip_per_second: 0,
            per_principal_per_second: 0,
            ..Limits::default()
        }),
    )
    .await;
    let authority = app.base_url.trim_start_matches("http://").to_owned();
    // Each attacker says when its headers and the body's first byte are sent.
    let (sent, mut all_sent) = tokio::sync::mpsc::channel::<()>(130);
    let attackers: Vec<_> = (0..130)
        .map(|_| {
            let authority = authority.clone();
            let sent = sent.clone();
            tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(&authority)
                    .await
                    .expect("connect");
                stream
                    .write_all(
                        b"POST /api/v1/simulations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{",
                    )
                    .await
                    .expect("write");
                let _ = sent.send(()).await;
                let mut answer = Vec::new();
                // Bounded: the server answers after 2 s; give up after 10.
                let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
                    .await;
                String::from_utf8_lossy(&answer).into_owned()
            })
        })
        .collect();
    // Every attacker's headers are out.
    drop(sent);
    for _ in 0..130 {
        tokio::time::timeout(Duration::from_secs(10), all_sent.recv())
            .await
            .expect("the attackers connect and write within 10 s")
            .expect("an attacker failed before writing");
    }
    let body = serde_json::json!({"company": submission(&random_siren(), 0)["company"]});
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let reply = app.post("/api/v1/simulations", None, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "a normal client waited {:?}",
            started.elapsed()
        );
    }
    for attacker in join_all(attackers).await {
        let answer = attacker.expect("task");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("body-timeout"), "{answer}");
    }
}

/// Issue: the per-principal budget was keyed on the raw header, so `Bearer  T`,
/// `BEARER T`… each had a fresh one. It is keyed on the verified subject now, so two
/// tokens of one user share it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn respelling_the_bearer_header_does_not_escape_the_rate_limit() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        limited(Limits {
            per_principal_per_second: 1,
            burst_seconds: 4,
            per_ip_per_second: 0,
            ..Limits::default()
        }),
    )
    .await;
    let token = app.applicant("respeller");
    let second_token = app.token("applicant", "respeller", None);
    let spellings = [
        format!("Bearer {token}"),
        format!("Bearer  {token}"),
        format!("BEARER {token}"),
        format!("bearer \t{token}"),
        format!("Bearer {second_token}"),
        format!("Bearer {token} "),
    ];
    let mut statuses = Vec::new();
    for spelling in &spellings {
        let reply = app
            .send(
                app.request(reqwest::Method::GET, "/api/v1/loan-requests")
                    .header("authorization", spelling),
            )
            .await;
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "one budget of 4 for every spelling: {statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// Issue: the method label was taken verbatim, so invented methods added series
/// without bound. Labels now come from closed sets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invented_methods_add_no_metric_series() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for i in 0..50 {
        let method = reqwest::Method::from_bytes(format!("X{i}").as_bytes()).expect("method");
        let reply = app.send(app.request(method, "/healthz")).await;
        assert!(reply.status.is_client_error(), "{}", reply.status);
    }
    app.get("/no/such/route/anywhere", None).await;
    let text = app.metrics().await.text;
    assert!(!text.contains("method=\"X"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(!text.contains("/no/such/route"), "{text}");
    assert!(text.contains("route=\"unmatched\""), "{text}");
}
