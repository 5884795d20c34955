//! Message threads between the applicant and the bank.

use super::*;

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
