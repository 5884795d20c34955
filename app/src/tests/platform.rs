//! The platform: banks, reviewer accounts, national figures, outages.

use super::*;

#[tokio::test]
async fn the_bank_list_is_cached_and_a_new_bank_is_seen_at_once() {
    let world = world();
    let platform = &world.services.platform;
    for _ in 0..3 {
        assert_eq!(platform.banks().await.unwrap().len(), 2);
    }
    assert_eq!(world.fakes.store.bank_reads.load(Ordering::Relaxed), 1);
    let bank = platform
        .add_bank(
            &role(admin()),
            RawBank {
                code: " 12345 ",
                name: "Banque Populaire",
                notification_email: Some(""),
            },
        )
        .await
        .unwrap();
    assert_eq!(bank.code.as_str(), "12345");
    assert_eq!(bank.notification_email, None);
    assert!(platform.bank_exists(&bank.code).await.unwrap());
    assert!(matches!(
        platform
            .add_bank(&role(admin()), RawBank {
                code: "12345",
                name: "Doublon",
                notification_email: None,
            })
            .await,
        Err(Error::BankExists(code)) if code == "12345"
    ));
    let err = platform
        .add_bank(
            &role(admin()),
            RawBank {
                code: "12",
                name: "",
                notification_email: Some("pas une adresse"),
            },
        )
        .await
        .unwrap_err();
    let Error::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        fields,
        [
            ("id", FieldCode::InvalidFormat),
            ("name", FieldCode::Required),
            ("notification_email", FieldCode::InvalidEmail),
        ]
    );
}

#[tokio::test]
async fn an_unknown_bank_code_reads_the_list_again_at_most_once_a_second() {
    let world = world();
    let platform = &world.services.platform;
    let unknown = BankCode::parse("99999").unwrap();
    platform.banks().await.unwrap();
    for _ in 0..10 {
        assert!(!platform.bank_exists(&unknown).await.unwrap());
    }
    assert_eq!(world.fakes.store.bank_reads.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn reviewer_accounts_are_for_existing_banks_and_unique_addresses() {
    let world = world();
    let platform = &world.services.platform;
    let created = platform
        .add_reviewer(&role(admin()), BANK, "C.Martin@BNP.example")
        .await
        .unwrap();
    assert_eq!(created.email, "c.martin@bnp.example");
    assert!(matches!(
        platform
            .add_reviewer(&role(admin()), BANK, "c.martin@bnp.example")
            .await,
        Err(Error::Reviewer(
            domain::ports::CreateReviewerError::Duplicate
        ))
    ));
    assert!(matches!(
        platform
            .add_reviewer(&role(admin()), "99999", "x@bnp.example")
            .await,
        Err(Error::NotFound)
    ));
    // Reviewer accounts are created by admins.
    assert!(matches!(
        Admin::try_from(reviewer(BANK)),
        Err(Error::Forbidden(_))
    ));
    world
        .fakes
        .identity
        .unavailable
        .store(true, Ordering::Relaxed);
    assert!(matches!(
        platform
            .add_reviewer(&role(admin()), BANK, "z@bnp.example")
            .await,
        Err(Error::Reviewer(
            domain::ports::CreateReviewerError::Unavailable(_)
        ))
    ));
}

#[tokio::test]
async fn national_figures_sum_by_status_and_bank_and_count_the_standing_guarantee() {
    let world = world();
    let kept = submit(&world, "alice", "73282932").await;
    let dropped = submit(&world, "bob", "40483304").await;
    world
        .services
        .loan_requests
        .decide(
            &role(reviewer(BANK)),
            dropped.id,
            1,
            Decision::Reject,
            Some("non"),
        )
        .await
        .unwrap();
    let figures = world
        .services
        .platform
        .national_figures(&role(admin()))
        .await
        .unwrap();
    assert_eq!(figures.total.count, 2);
    assert_eq!(figures.total.requested_cents, 10_000_000);
    assert_eq!(figures.by_status.len(), Status::ALL.len());
    assert_eq!(figures.by_status[&Status::Submitted].count, 1);
    assert_eq!(figures.by_status[&Status::Granted].count, 0);
    assert_eq!(
        figures.committed_guaranteed_cents,
        i128::from(kept.terms.guaranteed.get())
    );
    assert_eq!(figures.granted_guaranteed_cents, 0);
    assert_eq!(figures.by_bank.len(), 1);
    assert_eq!(figures.by_bank[0].name.as_deref(), Some("BNP Paribas"));
    assert_eq!(figures.outbox.pending, 3);
    // The figures are the admins'.
    assert!(matches!(
        Admin::try_from(reviewer(BANK)),
        Err(Error::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_database_outage_reaches_the_caller_as_a_storage_error() {
    let world = world();
    world.fakes.store.unavailable.store(true, Ordering::Relaxed);
    let err = refused(&world, "alice", raw("73282932", 5_000_000), None).await;
    assert!(
        matches!(&err, Error::Submit(SubmitError::Storage(s)) if s.unavailable),
        "{err:?}"
    );
    world.fakes.clock.advance(TimeDelta::seconds(1));
}
