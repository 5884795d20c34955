//! Submitting: ids and time from the ports, the campaign window, field errors, references, idempotency, the cap.

use super::*;

#[tokio::test]
async fn a_submission_takes_its_ids_and_time_from_the_ports_and_queues_its_email() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    assert_eq!(request.status, Status::Submitted);
    assert_eq!(request.version, LoanRequest::FIRST_VERSION);
    assert_eq!(request.created_at, world.fakes.clock.now());
    assert_eq!(request.id.0.as_u128(), 1);
    let outbox = world.fakes.store.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, MailKind::SubmissionReceived);
    assert_eq!(outbox[0].recipient, "gerant@boulangerie.example");
}

#[tokio::test]
async fn the_fake_keeps_the_submission_contract() {
    let world = world();
    crate::contract::run(&crate::contract::Adapters {
        submissions: world.fakes.ports().submissions,
        requests: world.fakes.store.clone(),
        receipts: std::sync::Arc::new(receipt),
        bank: BANK.to_owned(),
    })
    .await;
}

#[tokio::test]
async fn a_workflow_action_and_its_audit_event_take_the_clock_s_time() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    world.fakes.clock.advance(TimeDelta::hours(5));
    let moved = world
        .services
        .loan_requests
        .decide(
            &role::<Reviewer>(reviewer(BANK)),
            request.id,
            request.version,
            Decision::TakeInReview,
            None,
        )
        .await
        .unwrap();
    let now = world.fakes.clock.now();
    assert_eq!(moved.updated_at, now);
    let events = world
        .services
        .loan_requests
        .history(&admin(), request.id)
        .await
        .unwrap();
    assert_eq!(events[0].at, request.created_at);
    assert_eq!(events[1].at, now);
}

#[tokio::test]
async fn outside_the_campaign_nothing_is_parsed_or_stored() {
    let now = crate::fakes::FixedClock::new().now();
    let world = world_with(CampaignWindow::new(None, Some(now)).unwrap());
    let err = refused(&world, "alice", raw("73282932", 0), None).await;
    assert!(matches!(err, Error::CampaignClosed), "{err:?}");
    assert!(world.fakes.store.requests().is_empty());
}

#[tokio::test]
async fn invalid_fields_and_ineligible_companies_are_told_apart() {
    let world = world();
    let err = refused(&world, "alice", raw("73282932", 100), None).await;
    let Error::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(errors[0].field, "requested_amount_cents");
    let mut insolvent = raw("73282932", 5_000_000);
    insolvent.company.collective_proceedings = true;
    let err = refused(&world, "alice", insolvent, None).await;
    let Error::NotEligible(reasons) = err else {
        panic!("{err:?}")
    };
    assert_eq!(reasons, vec![Ineligibility::CollectiveProceedings]);
    assert!(world.fakes.store.requests().is_empty());
}

#[tokio::test]
async fn a_colliding_reference_is_drawn_again_up_to_three_times() {
    let world = world();
    let taken = Reference::from_bits(42);
    world.fakes.ids.script_references([taken]);
    let first = submit(&world, "alice", "73282932").await;
    assert_eq!(first.reference, taken);
    // Twice the taken reference, then a fresh one: stored on the third draw.
    world.fakes.ids.script_references([taken, taken]);
    let second = submit(&world, "bob", "40483304").await;
    assert_ne!(second.reference, taken);
    // Three times taken: the applicant is told, nothing is stored.
    world.fakes.ids.script_references([taken, taken, taken]);
    let err = refused(&world, "carol", raw("55208131", 5_000_000), None).await;
    assert!(
        matches!(err, Error::Submit(SubmitError::ReferenceCollision)),
        "{err:?}"
    );
    assert_eq!(world.fakes.store.requests().len(), 2);
}

#[tokio::test]
async fn a_retried_key_replays_the_first_receipt_and_a_reused_one_is_refused() {
    let world = world();
    let service = &world.services.loan_requests;
    let key = IdempotencyKey {
        key: "k-1".to_owned(),
        body_fingerprint: "body-a".to_owned(),
    };
    let Submitted::Created { request: first, .. } = service
        .submit(
            &owner("alice"),
            raw("73282932", 5_000_000),
            Some(key.clone()),
        )
        .await
        .unwrap()
    else {
        panic!("first call creates")
    };
    let again = service
        .submit(
            &owner("alice"),
            raw("73282932", 5_000_000),
            Some(key.clone()),
        )
        .await
        .unwrap();
    let Submitted::Replayed {
        loan_request_id,
        receipt: replayed,
    } = again
    else {
        panic!("the retry replays")
    };
    assert_eq!(loan_request_id, Some(first.id));
    assert_eq!(replayed, receipt(&first));
    let other_body = IdempotencyKey {
        body_fingerprint: "body-b".to_owned(),
        ..key
    };
    let err = refused(
        &world,
        "alice",
        raw("73282932", 6_000_000),
        Some(other_body),
    )
    .await;
    assert!(
        matches!(err, Error::Submit(SubmitError::IdempotencyKeyReused)),
        "{err:?}"
    );
    assert_eq!(world.fakes.store.requests().len(), 1);
}

#[tokio::test]
async fn a_company_cannot_ask_for_more_than_its_cap_across_requests() {
    let world = world();
    let service = &world.services.loan_requests;
    for _ in 0..2 {
        service
            .submit(&owner("alice"), raw("73282932", 12_500_000), None)
            .await
            .unwrap();
    }
    let err = refused(&world, "alice", raw("73282932", 100_000), None).await;
    assert!(
        matches!(err, Error::Submit(SubmitError::AggregateCapExceeded(_))),
        "{err:?}"
    );
}
