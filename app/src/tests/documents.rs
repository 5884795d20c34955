//! Supporting documents: declared, uploaded, checked; closed requests; degraded mode.

use super::*;

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
