//! `pge audit verify` and `pge audit heads` on a fresh embedded database: they connect,
//! walk and print; and `pge worker` verifies the chains at start and on its schedule,
//! into its metrics (the chains' verification itself is tested over HTTP on both
//! databases, `tests/tests/audit_chain.rs`).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_audit_commands_walk_a_fresh_database() {
    let dir = std::env::temp_dir().join(format!("pge-audit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pge = env!("CARGO_BIN_EXE_pge");
    let run = |args: &[&str]| {
        Command::new(pge)
            .args(args)
            .env_clear()
            .env("PGE_DATA_DIR", &dir)
            .output()
            .expect("pge")
    };
    let migrated = run(&["migrate"]);
    assert!(migrated.status.success(), "{migrated:?}");
    let verified = run(&["audit", "verify"]);
    assert!(verified.status.success(), "{verified:?}");
    assert_eq!(
        String::from_utf8_lossy(&verified.stdout),
        "0 chains, 0 events written before the chain\n"
    );
    let heads = run(&["audit", "heads"]);
    assert!(heads.status.success(), "{heads:?}");
    assert!(heads.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_worker_verifies_the_chains_at_start_into_its_metrics() {
    let dir = std::env::temp_dir().join(format!("pge-audit-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pge = env!("CARGO_BIN_EXE_pge");
    let migrated = Command::new(pge)
        .arg("migrate")
        .env_clear()
        .env("PGE_DATA_DIR", &dir)
        .output()
        .expect("migrate");
    assert!(migrated.status.success(), "{migrated:?}");
    let mut worker = Command::new(pge)
        .arg("worker")
        .env_clear()
        .env("PGE_DATA_DIR", &dir)
        .env("PGE_METRICS_ADDR", "127.0.0.1:0")
        .env("PGE_LOG_FORMAT", "json")
        .env("PGE_AUDIT_VERIFY_MINUTES", "60")
        .stderr(Stdio::piped())
        .spawn()
        .expect("worker");
    let stderr = worker.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line)
                && entry["message"] == "metrics listening"
            {
                let _ = tx.send(entry["addr"].as_str().unwrap_or_default().to_owned());
            }
            kept.lock().expect("lock").push(line);
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the worker's metrics did not start");
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let text = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        if text.contains("pge_audit_verifications_total{result=\"intact\"} 1") {
            break text;
        }
        if Instant::now() >= deadline {
            let _ = worker.kill();
            let _ = worker.wait();
            panic!(
                "no verification recorded: {text}\nthe worker's log:\n{}",
                lines.lock().expect("lock").join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(metrics.contains("pge_audit_chains_broken 0"), "{metrics}");
    assert!(
        metrics.contains("pge_audit_verifications_total{result=\"broken\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("pge_audit_verification_last_success_timestamp_seconds ")),
        "{metrics}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
