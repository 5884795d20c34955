//! The submission's writer on the in-memory store (the `SubmissionRepository` port).

use std::sync::Arc;

use async_trait::async_trait;
use domain::loan_request::{AuditAction, AuditEvent, IdempotencyKey, LoanRequest, MailKind};
use domain::money::Cents;
use domain::ports::{
    NewLoanRequest, Receipt, ReceiptFormat, SubmissionRepository, SubmitError, SubmitOutcome,
};
use domain::rules::Commitments;
use domain::workflow::Status;

use super::*;

/// The receipt the fakes keep with a key unless given another [`ReceiptFormat`]: it
/// names the request's reference.
#[must_use]
pub fn receipt(request: &LoanRequest) -> Receipt {
    Receipt(format!("receipt of {}", request.reference))
}

/// The submission's writer on the in-memory store, with the [`ReceiptFormat`] it keeps
/// with a key (as the real writers get theirs from the composition root).
pub struct InMemorySubmissions {
    store: Arc<InMemoryStore>,
    receipts: Arc<dyn ReceiptFormat>,
}

impl InMemorySubmissions {
    #[must_use]
    pub fn new(store: Arc<InMemoryStore>, receipts: Arc<dyn ReceiptFormat>) -> Self {
        Self { store, receipts }
    }
}

#[async_trait]
impl SubmissionRepository for InMemorySubmissions {
    async fn submit(
        &self,
        new: NewLoanRequest,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<SubmitOutcome, SubmitError> {
        let mut data = self.store.data()?;
        let subject = new.actor.subject.as_str().to_owned();
        if let Some(key) = &idempotency
            && let Some((fingerprint, receipt, id)) =
                data.idempotency.get(&(subject.clone(), key.key.clone()))
        {
            return if *fingerprint == key.body_fingerprint {
                Ok(SubmitOutcome::Replayed {
                    loan_request_id: Some(*id),
                    receipt: receipt.clone(),
                })
            } else {
                Err(SubmitError::IdempotencyKeyReused)
            };
        }
        let submission = &new.submission;
        let standing: Vec<&LoanRequest> = data
            .requests
            .iter()
            .filter(|r| r.company.siren == submission.company.siren && r.status.counts_toward_cap())
            .collect();
        Commitments {
            committed: Cents::new(standing.iter().map(|r| r.amount.get()).sum()),
            lowest_cap: standing.iter().map(|r| r.terms.cap).min(),
        }
        .admit(submission.terms.cap, submission.amount)?;
        if data.requests.iter().any(|r| r.reference == new.reference) {
            return Err(SubmitError::ReferenceCollision);
        }
        if !data.banks.iter().any(|b| b.code == submission.bank) {
            return Err(SubmitError::UnknownBank(
                submission.bank.as_str().to_owned(),
            ));
        }
        let request = new.stored();
        InMemoryStore::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: new.now,
                actor_role: new.actor.role,
                actor_subject: Some(subject.clone()),
                action: AuditAction::Submit,
                from_status: None,
                to_status: Status::Submitted,
                reason: None,
            },
        );
        data.outbox.push(QueuedMail {
            loan_request_id: request.id,
            kind: MailKind::SubmissionReceived,
            recipient: request.contact_email.as_str().to_owned(),
        });
        let receipt = idempotency.map(|key| {
            let receipt = self.receipts.receipt(&request);
            data.idempotency.insert(
                (subject, key.key),
                (key.body_fingerprint, receipt.clone(), request.id),
            );
            receipt
        });
        data.requests.push(request.clone());
        Ok(SubmitOutcome::Created {
            request: Box::new(request),
            receipt,
        })
    }
}
