//! The in-memory store's side of the four-eyes port (the grant's part is in the fake's
//! transition, `store.rs` and `guarantees.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::four_eyes::{GrantThreshold, PendingGrant};
use domain::loan_request::{Actor, AuditAction, AuditEvent, LoanRequest, LoanRequestId, Scope};
use domain::ports::{FourEyesRepository, ReturnCommand, StorageError, TransitionError};
use domain::submission::BankCode;

use super::*;

#[async_trait]
impl FourEyesRepository for InMemoryStore {
    async fn threshold(&self, bank: &BankCode) -> Result<Option<GrantThreshold>, StorageError> {
        Ok(self.data()?.thresholds.get(bank).copied())
    }

    async fn set_threshold(
        &self,
        bank: &BankCode,
        threshold: Option<GrantThreshold>,
        _actor: &Actor,
        _now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut data = self.data()?;
        match threshold {
            Some(threshold) => {
                data.thresholds.insert(bank.clone(), threshold);
            }
            None => {
                data.thresholds.remove(bank);
            }
        }
        Ok(())
    }

    async fn pending(
        &self,
        id: LoanRequestId,
        scope: &Scope,
    ) -> Result<Option<PendingGrant>, StorageError> {
        let data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        Ok(data.pending_grants.get(&id).cloned())
    }

    async fn return_grant(&self, command: ReturnCommand) -> Result<LoanRequest, TransitionError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter()
            .find(|r| r.id == command.id && visible(r, &command.scope))
            .ok_or(TransitionError::NotFound)?;
        if request.version != command.expected_version {
            return Err(TransitionError::VersionMismatch {
                current: request.version,
            });
        }
        if data.pending_grants.remove(&command.id).is_none() {
            return Err(TransitionError::NoPendingGrant);
        }
        let stored = data
            .requests
            .iter_mut()
            .find(|r| r.id == command.id)
            .ok_or(TransitionError::NotFound)?;
        stored.version += 1;
        stored.updated_at = command.now;
        stored.decision_reason = Some(command.reason.clone());
        let request = stored.clone();
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: command.now,
                actor_role: command.actor.role,
                actor_subject: Some(command.actor.subject.as_str().to_owned()),
                action: AuditAction::ReturnGrant,
                from_status: Some(request.status),
                to_status: request.status,
                reason: Some(command.reason),
            },
        );
        Ok(request)
    }
}

/// The fake keeps no hash chain: it reports every event as written before the chain.
#[async_trait]
impl domain::ports::AuditChains for InMemoryStore {
    async fn verify(&self) -> Result<domain::ports::AuditReport, StorageError> {
        let events: usize = self.data()?.events.values().map(Vec::len).sum();
        Ok(domain::ports::AuditReport {
            chains: Vec::new(),
            unchained_before: u64::try_from(events).unwrap_or(u64::MAX),
        })
    }
}
