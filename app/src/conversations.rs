//! A request's thread between its applicant and the reviewers of its bank. Admins read
//! it without taking part; reading marks the other side's messages read.

use std::sync::Arc;

use domain::loan_request::LoanRequestId;
use domain::message::{Message, MessageBody, NewMessage};
use domain::ports::{Clock, MessageRepository, PostMessageError};

use crate::{Caller, Error, Ports};

/// Conversations' use cases.
pub struct Conversations {
    store: Arc<dyn MessageRepository>,
    clock: Arc<dyn Clock>,
}

impl Conversations {
    #[must_use]
    pub fn new(ports: &Ports) -> Self {
        Self {
            store: ports.messages.clone(),
            clock: ports.clock.clone(),
        }
    }

    /// The thread of a request in the caller's scope, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] outside the scope.
    pub async fn read(&self, caller: &Caller, id: LoanRequestId) -> Result<Vec<Message>, Error> {
        self.store
            .messages(id, &caller.scope(), caller.side(), self.clock.now())
            .await?
            .ok_or(Error::NotFound)
    }

    /// Writes to the other side; the e-mail telling them is sent by the outbox.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an admin, [`Error::Invalid`] on the body,
    /// [`Error::NotFound`], [`Error::ThreadFull`].
    pub async fn post(
        &self,
        caller: &Caller,
        id: LoanRequestId,
        body: &str,
    ) -> Result<Message, Error> {
        let Some(side) = caller.side() else {
            return Err(Error::Forbidden(
                "admins read threads; only the applicant and the bank's reviewers write",
            ));
        };
        let body = MessageBody::parse(body).map_err(Error::invalid)?;
        self.store
            .post(
                NewMessage {
                    loan_request_id: id,
                    scope: caller.scope(),
                    author: caller.actor(),
                    from: side,
                    body,
                },
                self.clock.now(),
            )
            .await
            .map_err(|e| match e {
                PostMessageError::NotFound => Error::NotFound,
                PostMessageError::ThreadFull => Error::ThreadFull,
                PostMessageError::Storage(s) => s.into(),
            })
    }
}
