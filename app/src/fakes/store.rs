//! The in-memory store's side of the requests, banks, figures, admin actions, drafts and
//! platform settings ports.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::{
    Actor, AuditEvent, Bank, Direction, ListFilter, LoanRequest, LoanRequestId, MailKind, Page,
    PageQuery, Position, Scope, Subject, Total, TransitionCommand,
};
use domain::ports::{
    AdminAction, AdminActionKind, AdminActions, BankRepository, CreateBankError, Draft,
    DraftRepository, LoanRequestRepository, OutboxStats, PlatformSettings, StatsRepository,
    StatsRow, StorageError, Totals, TransitionError,
};
use domain::workflow::{Status, transition};

use super::*;

#[async_trait]
impl LoanRequestRepository for InMemoryStore {
    async fn get(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<LoanRequest>, StorageError> {
        Ok(self
            .data()?
            .requests
            .iter()
            .find(|r| r.id == id && visible(r, scope))
            .cloned())
    }

    async fn list(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        page: PageQuery,
    ) -> Result<Page<LoanRequest>, StorageError> {
        let data = self.data()?;
        let order = page.order;
        // Ascending (key, id) of each request; a descending order reverses it.
        let rank = |r: &LoanRequest| {
            let p = order.position(r);
            (p.key, p.id.0)
        };
        let mut found: Vec<&LoanRequest> = data
            .requests
            .iter()
            .filter(|r| visible(r, scope) && matches(r, filter, &data.messages))
            .collect();
        found.sort_by_key(|r| rank(r));
        if order.descending() {
            found.reverse();
        }
        let limit = usize::from(page.limit).max(1);
        let ahead = |r: &LoanRequest, p: Position| {
            let (key, at) = (rank(r), (p.key, p.id.0));
            if order.descending() {
                key < at
            } else {
                key > at
            }
        };
        let (items, prev, next): (Vec<&LoanRequest>, bool, bool) = match page.from {
            None => (
                found.iter().take(limit).copied().collect(),
                false,
                found.len() > limit,
            ),
            Some((p, Direction::After)) => {
                let rest: Vec<&LoanRequest> = found.into_iter().filter(|r| ahead(r, p)).collect();
                let more = rest.len() > limit;
                (rest.into_iter().take(limit).collect(), true, more)
            }
            Some((p, Direction::Before)) => {
                let before: Vec<&LoanRequest> = found
                    .into_iter()
                    .filter(|r| rank(r) != (p.key, p.id.0) && !ahead(r, p))
                    .collect();
                let start = before.len().saturating_sub(limit);
                (before[start..].to_vec(), start > 0, true)
            }
        };
        let at = |r: Option<&&LoanRequest>| r.map(|r| order.position(r));
        Ok(Page {
            prev: if prev { at(items.first()) } else { None },
            next: if next { at(items.last()) } else { None },
            items: items.into_iter().cloned().collect(),
        })
    }

    async fn count(
        &self,
        scope: &Scope,
        filter: &ListFilter,
        bound: u32,
    ) -> Result<Total, StorageError> {
        let data = self.data()?;
        let n = data
            .requests
            .iter()
            .filter(|r| visible(r, scope) && matches(r, filter, &data.messages))
            .count();
        Ok(Total::counted(n as u64, bound))
    }

    async fn events(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<Vec<AuditEvent>>, StorageError> {
        let data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        Ok(Some(data.events.get(&id).cloned().unwrap_or_default()))
    }

    async fn transition(&self, command: TransitionCommand) -> Result<LoanRequest, TransitionError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter_mut()
            .find(|r| r.id == command.id && visible(r, &command.scope))
            .ok_or(TransitionError::NotFound)?;
        if request.version != command.expected_version {
            return Err(TransitionError::VersionMismatch {
                current: request.version,
            });
        }
        let from = request.status;
        let to = transition(from, command.action)?;
        let snapshot = request.clone();
        let step =
            Self::confirm_guarantee(&data, &snapshot, to, command.identifier, &command.actor)?;
        // The first approval of a grant above the bank's threshold: the request stays
        // pre-approved, awaiting a second reviewer.
        let awaiting = step == Some(domain::four_eyes::GrantStep::AwaitSecondReviewer);
        let (to, action) = if awaiting {
            (from, domain::loan_request::AuditAction::RequestGrant)
        } else {
            (to, command.action.into())
        };
        Self::close_guarantee(&mut data, command.id, to, command.now);
        if awaiting && let Some(identifier) = command.identifier {
            data.pending_grants.insert(
                command.id,
                domain::four_eyes::PendingGrant {
                    requested_by: command.actor.subject.clone(),
                    requested_at: command.now,
                    identifier,
                },
            );
        }
        let request = data
            .requests
            .iter_mut()
            .find(|r| r.id == command.id)
            .ok_or(TransitionError::NotFound)?;
        request.status = to;
        request.version += 1;
        request.updated_at = command.now;
        if command.reason.is_some() {
            request.decision_reason.clone_from(&command.reason);
        }
        let request = request.clone();
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: command.now,
                actor_role: command.actor.role,
                actor_subject: Some(command.actor.subject.as_str().to_owned()),
                action,
                from_status: Some(from),
                to_status: to,
                reason: command.reason,
            },
        );
        if let Some(kind) = MailKind::for_status(to).filter(|_| to != from) {
            data.outbox.push(QueuedMail {
                loan_request_id: request.id,
                kind,
                recipient: request.contact_email.as_str().to_owned(),
            });
        }
        Ok(request)
    }
}

#[async_trait]
impl BankRepository for InMemoryStore {
    async fn list(&self) -> Result<Vec<Bank>, StorageError> {
        self.bank_reads.fetch_add(1, Ordering::Relaxed);
        let mut banks = self.data()?.banks.clone();
        banks.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(banks)
    }

    async fn create(&self, bank: &Bank, _now: DateTime<Utc>) -> Result<(), CreateBankError> {
        let mut data = self.data()?;
        if data.banks.iter().any(|b| b.code == bank.code) {
            return Err(CreateBankError::Duplicate(bank.code.as_str().to_owned()));
        }
        data.banks.push(bank.clone());
        Ok(())
    }
}

#[async_trait]
impl StatsRepository for InMemoryStore {
    async fn by_bank_and_status(&self) -> Result<Vec<StatsRow>, StorageError> {
        let data = self.data()?;
        let mut rows: HashMap<(String, Status), Totals> = HashMap::new();
        for r in &data.requests {
            let totals = rows
                .entry((r.bank.as_str().to_owned(), r.status))
                .or_default();
            totals.count += 1;
            totals.requested_cents += i128::from(r.amount.get());
            totals.guaranteed_cents += i128::from(r.terms.guaranteed.get());
        }
        Ok(rows
            .into_iter()
            .map(|((bank, status), totals)| StatsRow {
                bank,
                status,
                totals,
            })
            .collect())
    }

    async fn outbox(&self) -> Result<OutboxStats, StorageError> {
        let data = self.data()?;
        Ok(OutboxStats {
            pending: i64::try_from(data.outbox.len()).unwrap_or(i64::MAX),
            sent: 0,
            dead: i64::try_from(data.dead.len()).unwrap_or(i64::MAX),
            oldest_pending_at: None,
        })
    }
}

#[async_trait]
impl AdminActions for InMemoryStore {
    async fn retry_dead_letters(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let mut data = self.data()?;
        let dead = std::mem::take(&mut data.dead);
        let count = i64::try_from(dead.len()).unwrap_or(i64::MAX);
        data.outbox.extend(dead);
        data.admin_actions.push(AdminAction {
            at: now,
            actor: actor.clone(),
            kind: AdminActionKind::RetryDeadLetters,
            count,
        });
        Ok(count)
    }

    async fn recent_actions(&self, limit: u16) -> Result<Vec<AdminAction>, StorageError> {
        Ok(self
            .data()?
            .admin_actions
            .iter()
            .rev()
            .take(usize::from(limit))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl DraftRepository for InMemoryStore {
    async fn draft(
        &self,
        applicant: &Subject,
        now: DateTime<Utc>,
    ) -> Result<Option<Draft>, StorageError> {
        let mut data = self.data()?;
        let expired = data
            .drafts
            .get(applicant.as_str())
            .is_some_and(|d| d.expires_at <= now);
        if expired {
            data.drafts.remove(applicant.as_str());
        }
        Ok(data.drafts.get(applicant.as_str()).cloned())
    }

    async fn save_draft(&self, applicant: &Subject, draft: &Draft) -> Result<(), StorageError> {
        self.data()?
            .drafts
            .insert(applicant.as_str().to_owned(), draft.clone());
        Ok(())
    }

    async fn delete_draft(&self, applicant: &Subject) -> Result<bool, StorageError> {
        Ok(self.data()?.drafts.remove(applicant.as_str()).is_some())
    }
}

impl InMemoryStore {
    /// Moves every queued mail to the dead letters, as a worker that gave up would.
    pub fn bury_outbox(&self) {
        let mut data = lock(&self.data);
        let queued = std::mem::take(&mut data.outbox);
        data.dead.extend(queued);
    }
}

#[async_trait]
impl PlatformSettings for InMemoryStore {
    async fn degraded_mode(&self) -> Result<bool, StorageError> {
        self.setting_reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.data()?.degraded)
    }

    async fn set_degraded_mode(
        &self,
        on: bool,
        _actor: &Actor,
        _now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.data()?.degraded = on;
        Ok(())
    }
}
