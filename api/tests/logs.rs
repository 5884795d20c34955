//! Logs of the real binary: JSON lines, every line of a request carrying its request id
//! (also from spans nested inside the request), and no personal data.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LEGAL_NAME: &str = "Boulangerie Confidentielle";
const EMAIL: &str = "gerante.secrete@boulangerie.example";

fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// Whether a log entry holds the requested amount (5,000,000 cents) as a number or in a
/// string, anywhere in it.
fn carries_the_amount(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => n.as_f64() == Some(5_000_000.0),
        serde_json::Value::String(s) => s.contains("5000000") || s.contains("50000.00"),
        serde_json::Value::Array(items) => items.iter().any(carries_the_amount),
        serde_json::Value::Object(fields) => fields.values().any(carries_the_amount),
        _ => false,
    }
}

#[test]
fn every_log_line_of_a_request_has_its_id_and_none_has_personal_data() {
    let dir = std::env::temp_dir().join(format!("pge-logs-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pge = env!("CARGO_BIN_EXE_pge");
    let token = Command::new(pge)
        .args(["dev-token", "--role", "applicant"])
        .env_clear()
        .env("PGE_DATA_DIR", &dir)
        .output()
        .expect("dev-token");
    let token = String::from_utf8(token.stdout).expect("utf-8");
    let mut server = Command::new(pge)
        .arg("serve")
        .env_clear()
        .env("PGE_DATA_DIR", &dir)
        .env("PGE_LISTEN_ADDR", "127.0.0.1:0")
        .env("PGE_METRICS_ADDR", "off")
        .env("PGE_LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            "debug,sqlx=warn,sea_orm=warn,hyper=warn,h2=warn",
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(server.stderr.take().expect("stderr")).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        assert!(Instant::now() < deadline, "pge did not start");
        let line = lines.next().expect("a log line").expect("read");
        let entry: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        if entry["message"] == "listening" {
            break entry["addr"].as_str().expect("addr").to_owned();
        }
    };
    let body = serde_json::json!({
        "bank_id": "30004",
        "company": {"siren": "732829320", "legal_name": LEGAL_NAME, "legal_form": "SAS",
                    "creation_date": "2012-05-04", "headcount": 12,
                    "revenue_cents": 100_000_000, "innovative": false,
                    "collective_proceedings": false},
        "requested_amount_cents": 5_000_000, "amortization_years": 4,
        "contact_email": EMAIL,
    })
    .to_string();
    let answer = http(
        &addr,
        &format!(
            "POST /api/v1/loan-requests HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nX-Request-Id: logs-test-1\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            token.trim(),
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-request-id: logs-test-1")
    );
    // The in-process worker's lines are read too: wait for its confirmation e-mail's
    // ("e-mail sent"; its lines are not the request's), then stop the server and read
    // what is left.
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if sent.send(line).is_err() {
                break;
            }
        }
    });
    let mut rest = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !rest
        .iter()
        .any(|l: &String| l.contains("\"message\":\"e-mail sent\""))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) => rest.push(line),
            Err(_) => panic!("the worker sent no e-mail within 30 s: {rest:?}"),
        }
    }
    server.kill().expect("kill");
    let _ = server.wait();
    // The reader ends with the server's stderr.
    rest.extend(received.iter());
    let _ = std::fs::remove_dir_all(&dir);
    let mut of_the_request = 0;
    for line in &rest {
        let entry: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        // The amount is looked for as a value, not as digits: a latency such as
        // 22.755065000000002 ms holds "5000000" and is no personal data.
        assert!(
            !line.contains(LEGAL_NAME) && !line.contains(EMAIL) && !carries_the_amount(&entry),
            "personal data in a log line: {line}"
        );
        let spans = entry["spans"].as_array().cloned().unwrap_or_default();
        let in_request = entry["span"]["name"] == "request"
            || spans.iter().any(|span| span["name"] == "request");
        if in_request {
            of_the_request += 1;
            assert!(
                line.contains("\"request_id\":\"logs-test-1\""),
                "a line of the request without its id: {line}"
            );
        }
    }
    assert!(
        of_the_request >= 2,
        "expected the request's lines (submission and access log): {rest:?}"
    );
}
