//! Submitting, reading, listing and withdrawing loan requests as an applicant.

use harness::{TestApp, on_both_backends, random_siren, submission};
use serde_json::json;

async fn applicant_submits_and_reads_back_with_computed_terms(app: TestApp) {
    let token = app.applicant("owner-1");
    let siren = random_siren();
    let reply = app
        .post(
            "/api/v1/loan-requests",
            Some(&token),
            &submission(&siren, 5_000_000),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.json["id"].as_str().expect("id").to_owned();
    assert_eq!(
        reply.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/api/v1/loan-requests/{id}").as_str())
    );
    let body = &reply.json;
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["version"], 1);
    assert_eq!(body["bank_id"], "30004");
    assert_eq!(body["company"]["siren"], siren.as_str());
    assert!(
        body["reference"]
            .as_str()
            .expect("reference")
            .starts_with("PGE-")
    );
    assert_eq!(body["terms"]["size_category"], "PME");
    assert_eq!(body["terms"]["cap_cents"], 25_000_000);
    assert_eq!(body["terms"]["guarantee_share_bp"], 9000);
    assert_eq!(body["terms"]["guaranteed_cents"], 4_500_000);
    // €50,000 at 90%: year 1 at 0.25% = €112.50, years 2-3 at 0.50%, 4-5 at 1%.
    assert_eq!(body["terms"]["fee_schedule"][0]["fee_cents"], 11_250);
    assert_eq!(
        body["terms"]["fee_schedule"].as_array().map(Vec::len),
        Some(5)
    );

    let read = app
        .get(&format!("/api/v1/loan-requests/{id}"), Some(&token))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    // The read adds what only a read can tell: the messages not read yet.
    let mut read_back = read.json.clone();
    assert_eq!(
        read_back
            .as_object_mut()
            .and_then(|o| o.remove("unread_messages")),
        Some(serde_json::json!(0))
    );
    assert_eq!(read_back, reply.json);

    let events = app
        .get(&format!("/api/v1/loan-requests/{id}/events"), Some(&token))
        .await;
    assert_eq!(events.status, 200);
    assert_eq!(events.json[0]["action"], "submit");
    assert_eq!(events.json[0]["to_status"], "submitted");
    assert_eq!(events.json[0]["actor_role"], "applicant");
}

async fn submission_writes_audit_event_and_outbox_email_in_the_same_transaction(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let token = app.applicant("owner-outbox");
    let created = app
        .submit(&token, &submission(&random_siren(), 2_000_000))
        .await;
    let db = app.db().await;
    let backend = db.get_database_backend();
    let count = |sql: &str| {
        let db = &db;
        let sql = sql.to_owned();
        async move {
            let row = db
                .query_one(Statement::from_string(backend, sql))
                .await
                .expect("query")
                .expect("row");
            row.try_get_by_index::<i64>(0).expect("count")
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM loan_requests").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM audit_events").await, 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM outbox_messages WHERE kind = 'submission_received' AND status = 'pending'").await,
        1
    );
    let row = db
        .query_one(Statement::from_string(
            backend,
            "SELECT recipient, payload FROM outbox_messages".to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    let recipient: String = row.try_get("", "recipient").expect("recipient");
    let payload: String = row.try_get("", "payload").expect("payload");
    assert_eq!(recipient, "gerant@boulangerie.example");
    assert!(payload.contains(created["reference"].as_str().expect("reference")));
}

async fn idempotency_key_replays_the_same_response_and_refuses_another_body(app: TestApp) {
    let token = app.applicant("owner-idem");
    let body = submission(&random_siren(), 3_000_000);
    let send = |body: serde_json::Value| {
        app.send(
            app.request(reqwest::Method::POST, "/api/v1/loan-requests")
                .bearer_auth(&token)
                .header("idempotency-key", "key-123")
                .json(&body),
        )
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = send(body.clone()).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.json, first.json);
    assert_eq!(
        second.headers.get("location"),
        first.headers.get("location")
    );
    assert!(first.headers.get("etag").is_some());
    assert_eq!(second.headers.get("etag"), first.headers.get("etag"));
    let mut other = body;
    other["requested_amount_cents"] = json!(3_000_100);
    send(other)
        .await
        .assert_problem(422, "idempotency-key-reused");
    let list = app.get("/api/v1/loan-requests", Some(&token)).await;
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(1));
}

async fn aggregate_cap_counts_every_active_request_of_the_siren(app: TestApp) {
    let token = app.applicant("owner-cap");
    let siren = random_siren();
    // Cap is €250,000 (25% of €1M revenue).
    let first = app.submit(&token, &submission(&siren, 20_000_000)).await;
    let mut other_bank = submission(&siren, 5_000_001);
    other_bank["bank_id"] = json!("30003");
    app.post("/api/v1/loan-requests", Some(&token), &other_bank)
        .await
        .assert_problem(422, "aggregate-cap-exceeded");
    other_bank["requested_amount_cents"] = json!(5_000_000);
    app.submit(&token, &other_bank).await;
    // Withdrawing the first one frees its amount.
    let id = first["id"].as_str().expect("id");
    let withdrawn = app.act(&token, id, "withdraw", None).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.json["status"], "withdrawn");
    app.submit(&token, &submission(&siren, 20_000_000)).await;
    // Declaring ten times the revenue in a later request does not lift the ceiling
    // over what the standing requests (declared at €1M, cap €250,000) commit.
    let mut inflated = submission(&siren, 100_000);
    inflated["company"]["revenue_cents"] = json!(1_000_000_000);
    app.post("/api/v1/loan-requests", Some(&token), &inflated)
        .await
        .assert_problem(422, "aggregate-cap-exceeded");
}

async fn ineligible_and_invalid_submissions_are_refused_with_reasons(app: TestApp) {
    let token = app.applicant("owner-bad");
    let mut sci = submission(&random_siren(), 2_000_000);
    sci["company"]["legal_form"] = json!("SCI");
    let reply = app.post("/api/v1/loan-requests", Some(&token), &sci).await;
    reply.assert_problem(422, "not-eligible");
    assert_eq!(reply.json["reasons"], json!(["excluded-legal-form"]));

    let mut bad = submission("732829321", 99_999);
    bad["contact_email"] = json!("not an email");
    bad["amortization_years"] = json!(6);
    let reply = app.post("/api/v1/loan-requests", Some(&token), &bad).await;
    reply.assert_problem(422, "validation-failed");
    let fields = reply.error_fields();
    for field in ["company.siren", "contact_email", "amortization_years"] {
        assert!(
            fields.contains(&field.to_owned()),
            "{field} missing in {fields:?}"
        );
    }

    let above_cap = submission(&random_siren(), 25_000_001);
    let reply = app
        .post("/api/v1/loan-requests", Some(&token), &above_cap)
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.json["errors"][0]["code"], "amount-above-cap");

    let mut unknown_bank = submission(&random_siren(), 2_000_000);
    unknown_bank["bank_id"] = json!("99999");
    let reply = app
        .post("/api/v1/loan-requests", Some(&token), &unknown_bank)
        .await;
    reply.assert_problem(422, "validation-failed");
    assert_eq!(reply.error_fields(), vec!["bank_id".to_owned()]);
    let list = app.get("/api/v1/loan-requests", Some(&token)).await;
    assert_eq!(list.json["items"], json!([]));
}

async fn someone_elses_request_is_not_found(app: TestApp) {
    let owner = app.applicant("owner-a");
    let other = app.applicant("owner-b");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    app.get(&format!("/api/v1/loan-requests/{id}"), Some(&other))
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/loan-requests/{id}/events"), Some(&other))
        .await
        .assert_problem(404, "not-found");
    app.act(&other, id, "withdraw", None)
        .await
        .assert_problem(404, "not-found");
    let list = app.get("/api/v1/loan-requests", Some(&other)).await;
    assert_eq!(list.json["items"], json!([]));
    // A reviewer of another bank does not see it either.
    let reviewer = app.reviewer("rev-x", "30003");
    app.get(&format!("/api/v1/loan-requests/{id}"), Some(&reviewer))
        .await
        .assert_problem(404, "not-found");
}

async fn withdraw_needs_if_match_and_refuses_stale_versions(app: TestApp) {
    let token = app.applicant("owner-w");
    let created = app
        .submit(&token, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/api/v1/loan-requests/{id}/withdraw");
    app.send(
        app.request(reqwest::Method::POST, &path)
            .bearer_auth(&token),
    )
    .await
    .assert_problem(428, "precondition-required");
    app.send(
        app.request(reqwest::Method::POST, &path)
            .bearer_auth(&token)
            .header("if-match", "\"7\""),
    )
    .await
    .assert_problem(412, "precondition-failed");
    let ok = app
        .send(
            app.request(reqwest::Method::POST, &path)
                .bearer_auth(&token)
                .header("if-match", "\"1\""),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        ok.headers.get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    app.act(&token, id, "withdraw", None)
        .await
        .assert_problem(409, "invalid-transition");
    // A withdrawal is audited but e-mails nobody (docs/RULES.md §14: submission and
    // decisions do).
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT (SELECT COUNT(*) FROM outbox_messages), \
                    (SELECT COUNT(*) FROM audit_events WHERE to_status = 'withdrawn')"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.try_get_by_index::<i64>(0).expect("outbox"), 1);
    assert_eq!(row.try_get_by_index::<i64>(1).expect("audit"), 1);
}

on_both_backends!(
    applicant_submits_and_reads_back_with_computed_terms,
    submission_writes_audit_event_and_outbox_email_in_the_same_transaction,
    idempotency_key_replays_the_same_response_and_refuses_another_body,
    aggregate_cap_counts_every_active_request_of_the_siren,
    ineligible_and_invalid_submissions_are_refused_with_reasons,
    someone_elses_request_is_not_found,
    withdraw_needs_if_match_and_refuses_stale_versions,
);

/// Outside the campaign window (docs/RULES.md §11) a submission is 422
/// `campaign-closed` and nothing is written; simulations and reads keep working.
async fn submissions_outside_the_campaign_window_are_refused(backend: harness::Backend) {
    let now = chrono::Utc::now();
    for (window, label) in [
        (
            domain::campaign::CampaignWindow::new(Some(now + chrono::Duration::days(1)), None),
            "not yet open",
        ),
        (
            domain::campaign::CampaignWindow::new(
                Some(now - chrono::Duration::days(30)),
                Some(now - chrono::Duration::seconds(1)),
            ),
            "closed",
        ),
    ] {
        let app = TestApp::spawn_with(
            backend,
            harness::Options {
                campaign: window.expect("window"),
                ..harness::Options::default()
            },
        )
        .await;
        let token = app.applicant("owner-campaign");
        let reply = app
            .post(
                "/api/v1/loan-requests",
                Some(&token),
                &submission(&random_siren(), 2_000_000),
            )
            .await;
        reply.assert_problem(422, "campaign-closed");
        let list = app.get("/api/v1/loan-requests", Some(&token)).await;
        assert_eq!(list.json["items"], json!([]), "{label}");
        let simulation = app
            .post(
                "/api/v1/simulations",
                None,
                &json!({"company": submission(&random_siren(), 1)["company"]}),
            )
            .await;
        assert_eq!(simulation.status, 200, "{label}: {}", simulation.text);
    }
}

mod submissions_outside_the_campaign_window_are_refused {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::submissions_outside_the_campaign_window_are_refused(harness::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::submissions_outside_the_campaign_window_are_refused(harness::Backend::Postgres)
            .await;
    }
}

/// The PostgreSQL submission has two writers: the lanes' one call of the `pge_submit`
/// function (the hot path) and the sea-orm path (SQLite's, and PostgreSQL's without
/// lanes). Both build their row from one description (`request_row`); the same
/// submissions through each must store
/// the same rows, column by column, and the same audit, outbox and idempotency rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_submission_paths_store_the_same_rows() {
    use domain::loan_request::LoanRequest;
    use domain::loan_request::{Actor, IdempotencyKey, LoanRequestId, Subject};
    use domain::ports::{NewLoanRequest, Receipt, SubmissionRepository, SubmitOutcome};
    use domain::reference::Reference;
    use domain::submission::{RawSubmission, Submission};
    use infra::entity::{audit_event, idempotency_record, loan_request, outbox_message};
    use sea_orm::{ColumnTrait, EntityTrait, Iterable, ModelTrait, QueryFilter};
    use std::sync::Arc;

    let app = harness::TestApp::spawn(harness::Backend::Postgres).await;
    let store = app.store().await;
    // What the idempotency record keeps: the first version's number (any receipt does).
    let receipt = |request: &LoanRequest| Receipt(format!("{{\"version\":{}}}", request.version));
    let fast = store.submissions(Arc::new(receipt));
    let orm: Arc<dyn SubmissionRepository> = Arc::new(store.orm_submissions(Arc::new(receipt)));
    let db = app.db().await;
    let siren = random_siren();
    let mut variants = Vec::new();
    let mut with_siret = submission(&siren, 2_000_000);
    with_siret["company"]["siret"] = json!(harness::luhn_complete(&format!("{siren}0001")));
    variants.push(with_siret);
    let mut sparse = submission(&siren, 1_000_000);
    sparse["company"]["payroll_cents"] = json!(null);
    sparse["company"]["balance_sheet_cents"] = json!(75_000_000);
    sparse["company"]["innovative"] = json!(true);
    sparse["amortization_years"] = json!(1);
    variants.push(sparse);
    variants.push(submission(&siren, 3_000_000));

    for (i, body) in variants.into_iter().enumerate() {
        let raw: RawSubmission = serde_json::from_value(body).expect("raw submission");
        let parsed = Submission::parse(raw, chrono::Utc::now().date_naive()).expect("valid");
        let now = infra::persistence::now();
        let new = |n: u64| NewLoanRequest {
            id: LoanRequestId(uuid::Uuid::now_v7()),
            reference: Reference::from_bits(n),
            submission: parsed.clone(),
            actor: Actor {
                role: domain::workflow::Role::Applicant,
                subject: Subject::new("paths-owner"),
            },
            now,
        };
        let mut ids = Vec::new();
        for (path, store) in [("fast", &fast), ("orm", &orm)] {
            let request = new(rand_bits(i, path));
            let id = request.id;
            let key = IdempotencyKey {
                key: format!("{path}-{i}"),
                body_fingerprint: format!("fingerprint-{i}"),
            };
            let outcome = store.submit(request, Some(key)).await.expect("stored");
            assert!(matches!(outcome, SubmitOutcome::Created { .. }), "{path}");
            ids.push(id.0);
        }
        let row = |id| {
            let db = &db;
            async move {
                loan_request::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .expect("read")
                    .expect("stored")
            }
        };
        let (a, b) = (row(ids[0]).await, row(ids[1]).await);
        for column in loan_request::Column::iter() {
            if matches!(
                column,
                loan_request::Column::Id | loan_request::Column::Reference
            ) {
                continue;
            }
            assert_eq!(
                a.get(column),
                b.get(column),
                "variant {i}: column {column:?}"
            );
        }
        let audit = |id| {
            let db = &db;
            async move {
                let rows = audit_event::Entity::find()
                    .filter(audit_event::Column::LoanRequestId.eq(id))
                    .all(db)
                    .await
                    .expect("audit");
                rows.into_iter()
                    .map(|e| {
                        (
                            e.at,
                            e.actor_role,
                            e.actor_sub,
                            e.action,
                            e.from_status,
                            e.to_status,
                            e.reason,
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            audit(ids[0]).await,
            audit(ids[1]).await,
            "variant {i}: audit"
        );
        let outbox = |id| {
            let db = &db;
            async move {
                let rows = outbox_message::Entity::find()
                    .filter(outbox_message::Column::LoanRequestId.eq(id))
                    .all(db)
                    .await
                    .expect("outbox");
                rows.into_iter()
                    .map(|m| {
                        // The payload names the reference, which differs by construction.
                        let mut payload: serde_json::Value =
                            serde_json::from_str(&m.payload).expect("payload");
                        payload["reference"] = json!(null);
                        (
                            m.kind,
                            m.recipient,
                            payload,
                            m.status,
                            m.attempts,
                            m.next_attempt_at,
                            m.created_at,
                            m.sent_at,
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            outbox(ids[0]).await,
            outbox(ids[1]).await,
            "variant {i}: outbox"
        );
        let saved = |id| {
            let db = &db;
            async move {
                let record = idempotency_record::Entity::find()
                    .filter(idempotency_record::Column::LoanRequestId.eq(id))
                    .one(db)
                    .await
                    .expect("idempotency")
                    .expect("saved");
                (
                    record.applicant_sub,
                    record.body_fingerprint,
                    record.response_status,
                    record.response_body,
                    record.created_at,
                )
            }
        };
        assert_eq!(
            saved(ids[0]).await,
            saved(ids[1]).await,
            "variant {i}: idempotency"
        );
    }
}

/// Distinct reference bits per variant and path.
fn rand_bits(variant: usize, path: &str) -> u64 {
    let n = u64::try_from(variant).unwrap_or(0) * 2 + u64::from(path == "orm");
    uuid::Uuid::new_v4().as_u64_pair().0 ^ n
}
