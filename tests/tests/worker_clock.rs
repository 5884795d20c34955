//! The outbox worker takes its time from the `Clock` port: what it claims (due by its
//! now) and when it records a send are its clock's, on both databases.

use std::sync::Arc;

use app::contract::fixed_now;
use app::fakes::FixedClock;
use async_trait::async_trait;
use chrono::TimeDelta;
use domain::ports::{Mailer, OutgoingEmail, SendError};
use harness::{TestApp, on_both_backends};
use infra::entity::outbox_message;
use infra::worker::{OutboxWorker, WorkerSettings};
use sea_orm::EntityTrait;

/// Accepts every e-mail.
struct Accepting;

#[async_trait]
impl Mailer for Accepting {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        Ok(format!("accepted-{}", email.id))
    }
}

on_both_backends!(a_fixed_clock_decides_what_is_due_and_when_it_was_sent);

async fn a_fixed_clock_decides_what_is_due_and_when_it_was_sent(app: TestApp) {
    let store = app.store().await;
    // One e-mail written at the contract's fixed time (a submission's).
    let submissions = store.submissions(Arc::new(app::fakes::receipt));
    app::contract::one_submission(&*submissions, "30004").await;
    let worker = |clock: FixedClock| {
        OutboxWorker::new(
            store.clone(),
            Arc::new(Accepting),
            Arc::new(store.clone()),
            WorkerSettings::default(),
        )
        .with_clock(Arc::new(clock))
    };
    // A second before it was written, it is not due yet.
    let early = worker(FixedClock::at(fixed_now() - TimeDelta::seconds(1)));
    let report = early.run_once(10).await.expect("pass");
    assert_eq!(report.claimed(), 0, "nothing due before the message's time");
    // A minute after, it is sent, at that minute.
    let later = fixed_now() + TimeDelta::minutes(1);
    let report = worker(FixedClock::at(later))
        .run_once(10)
        .await
        .expect("pass");
    assert_eq!(report.sent, 1);
    let rows = outbox_message::Entity::find()
        .all(&app.db().await)
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].sent_at, Some(later));
}
