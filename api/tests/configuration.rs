//! Start-up configuration, through the real `pge` binary: a missing or invalid `PGE_*`
//! variable stops the program with a message naming it, and the production profile
//! refuses the embedded default's parts. Each case stops before touching a database.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

fn scratch_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pge-config-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `pge ARGS` with only `vars` in its environment (and a scratch data folder).
fn pge(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let dir = scratch_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_pge"))
        .args(args)
        .env_clear()
        .env("PGE_DATA_DIR", &dir)
        .env("PGE_LOG_FORMAT", "json")
        .env("PGE_LISTEN_ADDR", "127.0.0.1:0")
        .env("PGE_METRICS_ADDR", "off")
        .envs(vars.iter().copied())
        .output()
        .expect("run pge");
    let _ = std::fs::remove_dir_all(dir);
    output
}

/// Asserts that `pge` stopped with a failure whose message names `variable`.
fn assert_refused(output: &Output, variable: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "pge started: {stderr}");
    assert!(
        stderr.contains(variable),
        "the message does not name {variable}: {stderr}"
    );
    stderr
}

const PRODUCTION: [(&str, &str); 4] = [
    ("PGE_ENV", "production"),
    ("PGE_DATABASE_URL", "postgres://pge@127.0.0.1:1/pge"),
    ("PGE_SES_FROM", "no-reply@pge.example"),
    ("PGE_S3_BUCKET", "pge-documents"),
];

#[test]
fn an_invalid_value_is_refused_naming_its_variable() {
    for (variable, value) in [
        ("PGE_ENV", "prod"),
        ("PGE_DATABASE_MAX_CONNECTIONS", "0"),
        ("PGE_LOG_FORMAT", "xml"),
        ("PGE_METRICS_ADDR", "everywhere"),
        ("PGE_LISTEN_ADDR", "localhost"),
        ("PGE_MAX_IN_FLIGHT", "-3"),
        ("PGE_CAMPAIGN_OPENS_AT", "tomorrow"),
        ("PGE_WORKER_IN_PROCESS", "maybe"),
    ] {
        let output = pge(&["serve"], &[(variable, value)]);
        assert_eq!(output.status.code(), Some(2), "{variable}={value}");
        assert_refused(&output, variable);
    }
}

#[test]
fn production_refuses_sqlite_and_the_local_folders() {
    let output = pge(&["serve"], &[("PGE_ENV", "production")]);
    assert_refused(&output, "PGE_DATABASE_URL");
    let output = pge(&["serve"], &PRODUCTION[..2]);
    assert_refused(&output, "PGE_SES_FROM");
    let output = pge(&["serve"], &PRODUCTION[..3]);
    assert_refused(&output, "PGE_S3_BUCKET");
    let output = pge(&["worker"], &PRODUCTION[..2]);
    assert_refused(&output, "PGE_SES_FROM");
}

#[test]
fn production_refuses_the_dev_identity_provider() {
    let output = pge(&["serve"], &PRODUCTION);
    let stderr = assert_refused(&output, "PGE_COGNITO_USER_POOL_ID");
    assert!(stderr.contains("dev identity provider"), "{stderr}");
    let output = pge(&["dev-token", "--role", "admin"], &PRODUCTION[..1]);
    assert_refused(&output, "PGE_ENV=production");
}

#[test]
fn an_incomplete_or_inconsistent_cognito_configuration_is_refused() {
    let mut vars = PRODUCTION.to_vec();
    vars.push(("PGE_COGNITO_REGION", "eu-west-3"));
    assert_refused(&pge(&["serve"], &vars), "PGE_COGNITO_USER_POOL_ID");
    vars.push(("PGE_COGNITO_USER_POOL_ID", "us-east-1_AbC123"));
    assert_refused(&pge(&["serve"], &vars), "PGE_COGNITO_USER_POOL_ID");
    vars.pop();
    vars.push(("PGE_COGNITO_USER_POOL_ID", "eu-west-3_AbC123"));
    assert_refused(&pge(&["serve"], &vars), "PGE_COGNITO_CLIENT_IDS");
}

#[test]
fn a_campaign_that_closes_before_it_opens_is_refused() {
    let output = pge(
        &["serve"],
        &[
            ("PGE_CAMPAIGN_OPENS_AT", "2026-06-01T00:00:00Z"),
            ("PGE_CAMPAIGN_CLOSES_AT", "2026-05-01T00:00:00Z"),
        ],
    );
    assert_refused(&output, "PGE_CAMPAIGN_CLOSES_AT");
}

#[test]
fn a_malformed_aws_setting_is_refused_naming_it() {
    assert_refused(
        &pge(&["serve"], &[("PGE_S3_BUCKET", "Not A Bucket")]),
        "PGE_S3_BUCKET",
    );
    assert_refused(
        &pge(&["serve"], &[("PGE_AWS_ENDPOINT_URL", "ftp://127.0.0.1")]),
        "PGE_AWS_ENDPOINT_URL",
    );
    assert_refused(
        &pge(&["serve"], &[("PGE_SES_FROM", "nobody")]),
        "PGE_SES_FROM",
    );
}
