//! Decisions and reading: the caller's scope, reasons and roles, bulk decisions, the export, the list's rules.

use super::*;

#[tokio::test]
async fn a_request_outside_the_callers_scope_does_not_exist_for_them() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let service = &world.services.loan_requests;
    for stranger in [Caller::Applicant(applicant("bob")), reviewer(OTHER_BANK)] {
        assert!(matches!(
            service.get(&stranger, request.id).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            service.history(&stranger, request.id).await,
            Err(Error::NotFound)
        ));
        let listing = service
            .list(
                &stranger,
                &ListFilter::default(),
                PageQuery {
                    order: ListOrder::Newest,
                    from: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert!(listing.page.items.is_empty());
    }
    let owner = Caller::Applicant(applicant("alice"));
    assert_eq!(
        service
            .get(&owner, request.id)
            .await
            .unwrap()
            .unread_messages,
        Some(0)
    );
    assert_eq!(
        service
            .get(&admin(), request.id)
            .await
            .unwrap()
            .unread_messages,
        None
    );
    assert_eq!(
        service.history(&reviewer(BANK), request.id).await.unwrap()[0]
            .action
            .as_str(),
        "submit"
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_each_action_its_role() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let service = &world.services.loan_requests;
    let bank = reviewer(BANK);
    let err = service
        .decide(&role(bank.clone()), request.id, 1, Decision::Reject, None)
        .await
        .unwrap_err();
    let Error::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code),
        ("reason", FieldCode::Required)
    );
    let owner = Caller::Applicant(applicant("alice"));
    // Each action its role: the reviewers decide, the owner withdraws.
    assert!(matches!(
        Reviewer::try_from(owner),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        Applicant::try_from(bank.clone()),
        Err(Error::Forbidden(_))
    ));
    let rejected = service
        .decide(
            &role(bank.clone()),
            request.id,
            1,
            Decision::Reject,
            Some("  Dossier incomplet "),
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected);
    assert_eq!(rejected.version, 2);
    assert_eq!(
        rejected.decision_reason.as_deref(),
        Some("Dossier incomplet")
    );
    let err = service
        .decide(
            &role(bank.clone()),
            request.id,
            1,
            Decision::Reject,
            Some("encore"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transition(TransitionError::VersionMismatch { current: 2 })
        ),
        "{err:?}"
    );
    assert_eq!(
        world.fakes.store.outbox().last().unwrap().kind,
        MailKind::Rejected
    );
}

#[tokio::test]
async fn a_bulk_decision_wrong_as_a_whole_writes_nothing() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let service = &world.services.loan_requests;
    let bank = reviewer(BANK);
    let one = [(request.id, 1)];
    let twice = [(request.id, 1), (request.id, 1)];
    let too_many: Vec<_> = (0..=MAX_BULK_ITEMS)
        .map(|i| {
            (
                domain::loan_request::LoanRequestId(uuid::Uuid::from_u128(1000 + i as u128)),
                1,
            )
        })
        .collect();
    let cases: [(BulkAction, Option<&str>, &[_], &str, FieldCode); 5] = [
        (BulkAction::Review, None, &[], "items", FieldCode::Required),
        (
            BulkAction::Review,
            None,
            &too_many,
            "items",
            FieldCode::OutOfRange,
        ),
        (
            BulkAction::Review,
            None,
            &twice,
            "items[1].id",
            FieldCode::Duplicate,
        ),
        (
            BulkAction::Reject,
            None,
            &one,
            "reason",
            FieldCode::Required,
        ),
        (
            BulkAction::Review,
            Some("why"),
            &one,
            "reason",
            FieldCode::NotAllowed,
        ),
    ];
    for (action, reason, items, field, code) in cases {
        let err = service
            .bulk_decide(&role(bank.clone()), action, reason, items)
            .await
            .unwrap_err();
        let Error::Invalid(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!((errors[0].field.as_str(), errors[0].code), (field, code));
    }
    assert_eq!(world.fakes.store.requests()[0].version, 1);
}

#[tokio::test]
async fn a_bulk_decision_reports_each_item_as_if_decided_alone() {
    let world = world();
    let mine = submit(&world, "alice", "73282932").await;
    let stale = submit(&world, "bob", "40483304").await;
    let mut elsewhere = raw("55208131", 5_000_000);
    elsewhere.bank_id = OTHER_BANK.to_owned();
    let Submitted::Created {
        request: elsewhere, ..
    } = world
        .services
        .loan_requests
        .submit(&owner("carol"), elsewhere, None)
        .await
        .unwrap()
    else {
        panic!()
    };
    let outcomes = world
        .services
        .loan_requests
        .bulk_decide(
            &role(reviewer(BANK)),
            BulkAction::Review,
            None,
            &[(mine.id, 1), (stale.id, 7), (elsewhere.id, 1)],
        )
        .await
        .unwrap();
    assert_eq!(outcomes[0].as_ref().unwrap().status, Status::InReview);
    assert!(matches!(
        outcomes[1],
        Err(Error::Transition(TransitionError::VersionMismatch {
            current: 1
        }))
    ));
    assert!(matches!(
        outcomes[2],
        Err(Error::Transition(TransitionError::NotFound))
    ));
    // Bulk decisions are the reviewers'.
    assert!(matches!(
        Reviewer::try_from(admin()),
        Err(Error::Forbidden(_))
    ));
}

#[tokio::test]
async fn an_export_reads_its_scope_batch_after_batch() {
    let world = world();
    for (who, siren) in [
        ("alice", "73282932"),
        ("bob", "40483304"),
        ("carol", "55208131"),
    ] {
        submit(&world, who, siren).await;
    }
    let service = &world.services.loan_requests;
    let mut export = service
        .export(
            &role(reviewer(BANK)),
            ListFilter::default(),
            ListOrder::default(),
        )
        .await
        .unwrap();
    let mut sizes = Vec::new();
    while let Some(batch) = service.export_batch(&mut export, 2).await.unwrap() {
        sizes.push(batch.len());
    }
    assert_eq!(sizes, [2, 1]);
    let mut elsewhere = service
        .export(
            &role(reviewer(OTHER_BANK)),
            ListFilter::default(),
            ListOrder::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        service
            .export_batch(&mut elsewhere, 2)
            .await
            .unwrap()
            .map(|b| b.len()),
        Some(0)
    );
    assert!(
        service
            .export_batch(&mut elsewhere, 2)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn only_admins_filter_by_bank_and_admins_have_no_unread() {
    use crate::loan_requests::unread_from;
    use domain::message::Side;
    let world = world();
    submit(&world, "alice", "73282932").await;
    let service = &world.services.loan_requests;
    let by_bank = ListFilter {
        bank: Some(BankCode::parse(BANK).unwrap()),
        ..ListFilter::default()
    };
    let query = PageQuery {
        order: ListOrder::Newest,
        from: None,
        limit: 50,
    };
    let listing = service.list(&admin(), &by_bank, query).await.unwrap();
    assert_eq!(listing.page.items.len(), 1);
    service
        .export(&role(admin()), by_bank.clone(), ListOrder::default())
        .await
        .unwrap();
    for caller in [Caller::Applicant(applicant("alice")), reviewer(BANK)] {
        let Err(Error::InvalidParameter(e)) = service.list(&caller, &by_bank, query).await else {
            panic!("{caller:?} filtered by bank")
        };
        assert_eq!((e.field.as_str(), e.code), ("bank", FieldCode::NotAllowed));
    }
    let Err(Error::InvalidParameter(e)) = service
        .export(&role(reviewer(BANK)), by_bank, ListOrder::default())
        .await
    else {
        panic!("a reviewer exported by bank")
    };
    assert_eq!((e.field.as_str(), e.code), ("bank", FieldCode::NotAllowed));
    assert_eq!(unread_from(&reviewer(BANK)).unwrap(), Side::Applicant);
    assert_eq!(
        unread_from(&Caller::Applicant(applicant("alice"))).unwrap(),
        Side::Bank
    );
    assert!(matches!(
        unread_from(&admin()),
        Err(Error::InvalidParameter(_))
    ));
}
