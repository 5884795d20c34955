//! The in-memory store's side of the guarantees port, and the guarantee's part of a
//! request's state change (the same decisions as the database's: the domain's).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::four_eyes::{GrantStep, grant_step};
use domain::guarantee::GuaranteeIdentifier;
use domain::issuance::{CompanyGuarantees, Guarantee, GuaranteeStatus, may_issue};
use domain::loan_request::{AuditAction, AuditEvent, LoanRequest, LoanRequestId, MailKind, Scope};
use domain::money::Cents;
use domain::ports::{
    GuaranteeRepository, IssueCommand, IssueError, Issued, StorageError, TransitionError,
};
use domain::workflow::Status;

use super::*;

/// What the company of `request` holds (see `domain::issuance::CompanyGuarantees`).
fn company_guarantees(data: &Data, request: &LoanRequest) -> CompanyGuarantees {
    let siren = &request.company.siren;
    let held: Vec<&Guarantee> = data
        .guarantees
        .iter()
        .filter(|g| &g.siren == siren && g.status.commits())
        .collect();
    let cap = data
        .requests
        .iter()
        .filter(|r| &r.company.siren == siren && r.status.counts_toward_cap())
        .map(|r| r.terms.cap)
        .min()
        .map_or(request.terms.cap, |cap| cap.min(request.terms.cap));
    CompanyGuarantees {
        held: u32::try_from(held.len()).unwrap_or(u32::MAX),
        guaranteed: Cents::new(held.iter().map(|g| g.amount.get()).sum()),
        cap,
    }
}

impl InMemoryStore {
    /// The guarantee's part of a state change (see the database's `guarantee_step`):
    /// checked before anything changes, applied by [`Self::close_guarantee`].
    pub(super) fn confirm_guarantee(
        data: &Data,
        request: &LoanRequest,
        to: Status,
        identifier: Option<GuaranteeIdentifier>,
        actor: &domain::loan_request::Actor,
    ) -> Result<Option<GrantStep>, TransitionError> {
        if to != Status::Granted {
            return Ok(None);
        }
        let found = identifier.and_then(|i| data.guarantees.iter().find(|g| g.identifier == i));
        Guarantee::confirm_for(found, request).map_err(TransitionError::Guarantee)?;
        Ok(Some(grant_step(
            data.thresholds.get(&request.bank).copied(),
            request.amount,
            data.pending_grants.get(&request.id),
            &actor.subject,
        )?))
    }

    /// A grant uses the request's issued guarantee; a withdrawal or a rejection cancels
    /// it.
    pub(super) fn close_guarantee(
        data: &mut Data,
        id: LoanRequestId,
        to: Status,
        now: DateTime<Utc>,
    ) {
        let status = match to {
            Status::Granted => GuaranteeStatus::Used,
            Status::Withdrawn | Status::Rejected => GuaranteeStatus::Cancelled,
            Status::Submitted | Status::InReview | Status::PreApproved => return,
        };
        data.pending_grants.remove(&id);
        for guarantee in &mut data.guarantees {
            if guarantee.loan_request_id == id && guarantee.status == GuaranteeStatus::Issued {
                guarantee.status = status;
                guarantee.closed_at = Some(now);
            }
        }
    }
}

#[async_trait]
impl GuaranteeRepository for InMemoryStore {
    async fn issue(&self, command: IssueCommand) -> Result<Issued, IssueError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter()
            .find(|r| r.id == command.id && visible(r, &command.scope))
            .cloned()
            .ok_or(IssueError::NotFound)?;
        if let Some(existing) = data
            .guarantees
            .iter()
            .find(|g| g.loan_request_id == request.id)
        {
            return Ok(Issued {
                guarantee: existing.clone(),
                request,
                new: false,
            });
        }
        may_issue(
            &request,
            company_guarantees(&data, &request),
            command.rule,
            command.now,
        )?;
        if data
            .guarantees
            .iter()
            .any(|g| g.identifier == command.identifier)
        {
            return Err(IssueError::IdentifierCollision);
        }
        let stored = data
            .requests
            .iter_mut()
            .find(|r| r.id == request.id)
            .ok_or(IssueError::NotFound)?;
        stored.version += 1;
        stored.updated_at = command.now;
        let request = stored.clone();
        let guarantee = Guarantee::issue(command.identifier, &request, command.now);
        data.guarantees.push(guarantee.clone());
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: command.now,
                actor_role: command.actor.role,
                actor_subject: Some(command.actor.subject.as_str().to_owned()),
                action: AuditAction::IssueGuarantee,
                from_status: Some(Status::PreApproved),
                to_status: Status::PreApproved,
                reason: None,
            },
        );
        data.outbox.push(QueuedMail {
            loan_request_id: request.id,
            kind: MailKind::GuaranteeIssued,
            recipient: request.contact_email.as_str().to_owned(),
        });
        Ok(Issued {
            guarantee,
            request,
            new: true,
        })
    }

    async fn guarantee_of(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Option<Guarantee>>, StorageError> {
        let data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        Ok(Some(
            data.guarantees
                .iter()
                .find(|g| g.loan_request_id == id)
                .cloned(),
        ))
    }

    async fn find(
        &self,
        identifier: GuaranteeIdentifier,
    ) -> Result<Option<Guarantee>, StorageError> {
        Ok(self
            .data()?
            .guarantees
            .iter()
            .find(|g| g.identifier == identifier)
            .cloned())
    }
}
