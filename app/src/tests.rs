//! The services against the in-memory fakes: the use cases' rules, in milliseconds.

#![expect(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::Ordering;

use chrono::{NaiveDate, TimeDelta};
use domain::campaign::CampaignWindow;
use domain::company::{RawCompany, luhn_complete};
use domain::document::DocumentStatus;
use domain::error::FieldCode;
use domain::loan_request::{
    IdempotencyKey, ListFilter, ListOrder, LoanRequest, MailKind, PageQuery, Subject,
};
use domain::ports::{Clock, SubmitError, TransitionError};
use domain::reference::Reference;
use domain::rules::Ineligibility;
use domain::submission::{BankCode, RawSubmission};
use domain::workflow::Status;

use crate::documents::RawDeclaration;
use crate::fakes::{Fakes, receipt};
use crate::loan_requests::{BulkAction, Decision, MAX_BULK_ITEMS, Submitted};
use crate::platform::RawBank;
use crate::{Admin, Applicant, Caller, Error, Reviewer, Services};

const BANK: &str = "30004";
const OTHER_BANK: &str = "10278";

struct World {
    fakes: Fakes,
    services: Services,
}

fn world_with(campaign: CampaignWindow) -> World {
    let fakes = Fakes::new();
    fakes
        .store
        .add_bank(BANK, "BNP Paribas", Some("pge@bnp.example"));
    fakes.store.add_bank(OTHER_BANK, "Crédit Mutuel", None);
    let services = Services::new(fakes.ports(), campaign);
    World { fakes, services }
}

fn world() -> World {
    world_with(CampaignWindow::default())
}

fn applicant(name: &str) -> Subject {
    Subject::new(name)
}

fn reviewer(bank: &str) -> Caller {
    Caller::Reviewer {
        subject: Subject::new(format!("reviewer-{bank}")),
        bank: BankCode::parse(bank).unwrap(),
    }
}

fn admin() -> Caller {
    Caller::Admin(Subject::new("admin"))
}

/// An applicant by name, as the API's extractor yields them.
fn owner(name: &str) -> Applicant {
    role(Caller::Applicant(applicant(name)))
}

/// The caller in a role they have (the API's extractor checked it).
fn role<R: TryFrom<Caller, Error = Error>>(caller: Caller) -> R {
    R::try_from(caller).unwrap()
}

/// A valid submission of €50,000 for the company whose SIREN starts with `siren_body`
/// (8 digits), revenue €1M: cap €250,000.
fn raw(siren_body: &str, amount_cents: i64) -> RawSubmission {
    RawSubmission {
        bank_id: BANK.to_owned(),
        company: RawCompany {
            siren: luhn_complete(siren_body),
            siret: None,
            legal_name: "Boulangerie Exemple".to_owned(),
            legal_form: "SAS".to_owned(),
            creation_date: NaiveDate::from_ymd_opt(2012, 5, 4).unwrap(),
            headcount: 12,
            revenue_cents: 100_000_000,
            payroll_cents: Some(40_000_000),
            balance_sheet_cents: None,
            innovative: false,
            collective_proceedings: false,
        },
        requested_amount_cents: amount_cents,
        amortization_years: 4,
        contact_email: "gerant@boulangerie.example".to_owned(),
    }
}

async fn submit(world: &World, who: &str, siren_body: &str) -> LoanRequest {
    match world
        .services
        .loan_requests
        .submit(&owner(who), raw(siren_body, 5_000_000), None)
        .await
        .unwrap()
    {
        Submitted::Created { request, .. } => *request,
        Submitted::Replayed { .. } => panic!("no key, no replay"),
    }
}

/// A submission the service refuses, and why.
async fn refused(
    world: &World,
    who: &str,
    raw: RawSubmission,
    key: Option<IdempotencyKey>,
) -> Error {
    world
        .services
        .loan_requests
        .submit(&owner(who), raw, key)
        .await
        .expect_err("refused")
}

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
async fn a_document_is_available_only_once_its_upload_matches_the_declaration() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let documents = &world.services.documents;
    let alice: Applicant = role(Caller::Applicant(applicant("alice")));
    let declaration = RawDeclaration {
        filename: "kbis.pdf",
        content_type: "application/pdf",
        size: 9,
    };
    let (document, upload) = documents
        .announce(&alice, request.id, declaration.clone())
        .await
        .unwrap();
    assert_eq!(document.status, DocumentStatus::Pending);
    assert_eq!(upload.method, "PUT");
    assert!(matches!(
        documents.complete(&alice, request.id, document.id).await,
        Err(Error::DocumentNotUploaded)
    ));
    // The right size, not a PDF: refused, and both the object and the record go.
    world
        .fakes
        .objects
        .put(&document.key(), Some("application/pdf"), b"GIF89a..!");
    assert!(matches!(
        documents.complete(&alice, request.id, document.id).await,
        Err(Error::DocumentContentMismatch(_))
    ));
    assert!(!world.fakes.objects.contains(&document.key()));
    assert!(matches!(
        documents.complete(&alice, request.id, document.id).await,
        Err(Error::NotFound)
    ));
    let (document, _) = documents
        .announce(&alice, request.id, declaration.clone())
        .await
        .unwrap();
    world
        .fakes
        .objects
        .put(&document.key(), Some("application/pdf"), b"%PDF-1.7\n");
    let done = documents
        .complete(&alice, request.id, document.id)
        .await
        .unwrap();
    assert_eq!(done.status, DocumentStatus::Available);
    assert_eq!(done.completed_at, Some(world.fakes.clock.now()));
    let listed = documents.list(&reviewer(BANK), request.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0]
            .1
            .as_ref()
            .expect("a link")
            .url
            .ends_with(&document.key())
    );
    assert!(matches!(
        documents.list(&reviewer(OTHER_BANK), request.id).await,
        Err(Error::NotFound)
    ));
    // A confirmed document stays; a pending one goes, its object with it, and only for
    // its owner.
    assert!(matches!(
        documents.remove(&alice, request.id, document.id).await,
        Err(Error::DocumentConfirmed)
    ));
    let (pending, _) = documents
        .announce(&alice, request.id, declaration)
        .await
        .unwrap();
    world
        .fakes
        .objects
        .put(&pending.key(), Some("application/pdf"), b"%PDF-1.7\n");
    let owned = documents.list(&alice, request.id).await.unwrap();
    assert_eq!(owned.len(), 2);
    assert!(owned[1].1.is_none());
    assert_eq!(
        documents
            .list(&reviewer(BANK), request.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        documents
            .remove(
                &role(Caller::Applicant(applicant("bob"))),
                request.id,
                pending.id
            )
            .await,
        Err(Error::NotFound)
    ));
    documents
        .remove(&alice, request.id, pending.id)
        .await
        .unwrap();
    assert!(!world.fakes.objects.contains(&pending.key()));
    assert!(matches!(
        documents.remove(&alice, request.id, pending.id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        documents.list(&admin(), request.id).await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        documents
            .announce(
                &role(Caller::Applicant(applicant("bob"))),
                request.id,
                RawDeclaration {
                    filename: "x.pdf",
                    content_type: "application/pdf",
                    size: 9,
                }
            )
            .await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_decided_request_takes_no_more_documents() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    world
        .services
        .loan_requests
        .decide(
            &role(reviewer(BANK)),
            request.id,
            1,
            Decision::Reject,
            Some("non"),
        )
        .await
        .unwrap();
    let err = world
        .services
        .documents
        .announce(
            &role(Caller::Applicant(applicant("alice"))),
            request.id,
            RawDeclaration {
                filename: "kbis.pdf",
                content_type: "application/pdf",
                size: 9,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::DocumentsClosed(Status::Rejected)),
        "{err:?}"
    );
}

#[tokio::test]
async fn degraded_mode_pauses_document_lists_and_figures_within_seconds() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let platform = &world.services.platform;
    assert!(!platform.degraded_mode().await.unwrap());
    platform
        .set_degraded_mode(&role(admin()), true)
        .await
        .unwrap();
    assert!(matches!(
        world
            .services
            .documents
            .list(&reviewer(BANK), request.id)
            .await,
        Err(Error::DegradedMode)
    ));
    assert!(matches!(
        platform.national_figures(&role(admin())).await,
        Err(Error::DegradedMode)
    ));
    assert!(matches!(
        world
            .services
            .loan_requests
            .export(&role(admin()), ListFilter::default(), ListOrder::default())
            .await,
        Err(Error::DegradedMode)
    ));
    assert!(matches!(
        Admin::try_from(reviewer(BANK)),
        Err(Error::Forbidden(_))
    ));
    // The cached reading is reused: one read of the setting for several checks.
    let reads = world.fakes.store.setting_reads.load(Ordering::Relaxed);
    for _ in 0..5 {
        platform.refuse_when_degraded().await.unwrap_err();
    }
    assert_eq!(
        world.fakes.store.setting_reads.load(Ordering::Relaxed),
        reads
    );
}

#[tokio::test]
async fn a_thread_goes_between_the_two_sides_and_admins_only_read_it() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let talk = &world.services.conversations;
    let owner = Caller::Applicant(applicant("alice"));
    assert!(matches!(
        talk.post(&admin(), request.id, "bonjour").await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        talk.post(&owner, request.id, "   ").await,
        Err(Error::Invalid(_))
    ));
    talk.post(&owner, request.id, "Voici le bilan.")
        .await
        .unwrap();
    let mail = world.fakes.store.outbox().pop().unwrap();
    assert_eq!(
        (mail.kind, mail.recipient.as_str()),
        (MailKind::MessageToBank, "pge@bnp.example")
    );
    let loans = &world.services.loan_requests;
    assert_eq!(
        loans
            .get(&reviewer(BANK), request.id)
            .await
            .unwrap()
            .unread_messages,
        Some(1)
    );
    // An admin reads without marking; the bank's reading marks.
    assert_eq!(talk.read(&admin(), request.id).await.unwrap().len(), 1);
    assert_eq!(
        loans
            .get(&reviewer(BANK), request.id)
            .await
            .unwrap()
            .unread_messages,
        Some(1)
    );
    talk.read(&reviewer(BANK), request.id).await.unwrap();
    assert_eq!(
        loans
            .get(&reviewer(BANK), request.id)
            .await
            .unwrap()
            .unread_messages,
        Some(0)
    );
    assert!(matches!(
        talk.read(&reviewer(OTHER_BANK), request.id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_thread_holds_at_most_500_messages() {
    let world = world();
    let request = submit(&world, "alice", "73282932").await;
    let owner = Caller::Applicant(applicant("alice"));
    let talk = &world.services.conversations;
    for i in 0..domain::message::MAX_MESSAGES_PER_REQUEST {
        talk.post(&owner, request.id, &format!("message {i}"))
            .await
            .unwrap();
    }
    assert!(matches!(
        talk.post(&owner, request.id, "one more").await,
        Err(Error::ThreadFull)
    ));
}

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

#[test]
fn only_admins_filter_by_bank_and_admins_have_no_unread() {
    use crate::loan_requests::{may_filter_by_bank, unread_from};
    use domain::message::Side;
    may_filter_by_bank(&admin()).unwrap();
    for caller in [Caller::Applicant(applicant("alice")), reviewer(BANK)] {
        let Err(Error::InvalidParameter(e)) = may_filter_by_bank(&caller) else {
            panic!("{caller:?} filtered by bank")
        };
        assert_eq!((e.field.as_str(), e.code), ("bank", FieldCode::NotAllowed));
    }
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

#[test]
fn a_simulation_reports_every_field_error_or_the_terms() {
    use crate::simulations::RawSimulation;
    let world = world();
    let simulation = world
        .services
        .simulations
        .simulate(RawSimulation {
            company: raw("73282932", 5_000_000).company,
            requested_amount_cents: None,
            amortization_years: None,
        })
        .unwrap();
    assert!(simulation.eligible);
    let err = world
        .services
        .simulations
        .simulate(RawSimulation {
            company: raw("73282932", 5_000_000).company,
            requested_amount_cents: Some(-1),
            amortization_years: Some(9),
        })
        .unwrap_err();
    let Error::Invalid(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["requested_amount_cents", "amortization_years"]);
}
