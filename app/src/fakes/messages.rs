//! Message threads: the store's `MessageRepository`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::{AuditAction, AuditEvent, LoanRequestId, MailKind, Scope};
use domain::message::{MAX_MESSAGES_PER_REQUEST, Message, NewMessage, Side};
use domain::ports::{MessageRepository, PostMessageError, StorageError};
use uuid::Uuid;

use super::*;

#[async_trait]
impl MessageRepository for InMemoryStore {
    async fn messages(
        &self,
        id: LoanRequestId,
        scope: &Scope,
        reader: Option<Side>,
        _now: DateTime<Utc>,
    ) -> Result<Option<Vec<Message>>, StorageError> {
        let mut data = self.data()?;
        if !data
            .requests
            .iter()
            .any(|r| r.id == id && visible(r, scope))
        {
            return Ok(None);
        }
        let mut thread = Vec::new();
        for stored in data
            .messages
            .iter_mut()
            .filter(|m| m.message.loan_request_id == id)
        {
            if reader.is_some_and(|side| stored.message.from == side.other()) {
                stored.read = true;
            }
            thread.push(stored.message.clone());
        }
        Ok(Some(thread))
    }

    async fn post(&self, new: NewMessage, now: DateTime<Utc>) -> Result<Message, PostMessageError> {
        let mut data = self.data()?;
        let request = data
            .requests
            .iter()
            .find(|r| r.id == new.loan_request_id && visible(r, &new.scope))
            .ok_or(PostMessageError::NotFound)?
            .clone();
        let count = data
            .messages
            .iter()
            .filter(|m| m.message.loan_request_id == request.id)
            .count() as u64;
        if count >= MAX_MESSAGES_PER_REQUEST {
            return Err(PostMessageError::ThreadFull);
        }
        let message = Message {
            id: Uuid::from_u128(u128::from(count) + 1 + (request.id.0.as_u128() << 16)),
            loan_request_id: request.id,
            at: now,
            from: new.from,
            body: new.body.as_str().to_owned(),
        };
        data.messages.push(StoredMessage {
            message: message.clone(),
            read: false,
        });
        Self::audit(
            &mut data,
            request.id,
            AuditEvent {
                at: now,
                actor_role: new.author.role,
                actor_subject: Some(new.author.subject.as_str().to_owned()),
                action: AuditAction::Message,
                from_status: Some(request.status),
                to_status: request.status,
                reason: None,
            },
        );
        let (kind, recipient) = match new.from {
            Side::Bank => (
                MailKind::MessageToApplicant,
                Some(request.contact_email.as_str().to_owned()),
            ),
            Side::Applicant => (
                MailKind::MessageToBank,
                data.banks
                    .iter()
                    .find(|b| b.code == request.bank)
                    .and_then(|b| b.notification_email.as_ref())
                    .map(|e| e.as_str().to_owned()),
            ),
        };
        if let Some(recipient) = recipient {
            data.outbox.push(QueuedMail {
                loan_request_id: request.id,
                kind,
                recipient,
            });
        }
        Ok(message)
    }

    async fn unread(
        &self,
        ids: &[LoanRequestId],
        reader: Side,
    ) -> Result<HashMap<LoanRequestId, u32>, StorageError> {
        let data = self.data()?;
        let mut unread = HashMap::new();
        for stored in &data.messages {
            if ids.contains(&stored.message.loan_request_id)
                && stored.message.from == reader.other()
                && !stored.read
            {
                *unread.entry(stored.message.loan_request_id).or_insert(0) += 1;
            }
        }
        Ok(unread)
    }
}
