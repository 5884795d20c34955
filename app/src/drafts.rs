//! An applicant's unfinished request, kept on the server (docs/RULES.md §10): closing
//! the tab or switching device loses nothing. One per applicant, theirs only; forgotten
//! 30 days after its last save, and deleted when they submit (the web app deletes it
//! once the request is created).

use std::sync::Arc;

use domain::error::{FieldCode, FieldError};
use domain::ports::{Clock, Draft, DraftRepository};

use crate::{Applicant, Error, Ports};

/// How long a draft is kept after its last save.
pub const DRAFT_LIFETIME_DAYS: i64 = 30;
/// The largest draft (its JSON text): the answers of one request take a few hundred bytes.
pub const MAX_DRAFT_BYTES: usize = 16 * 1024;

/// Drafts' use cases.
pub struct Drafts {
    store: Arc<dyn DraftRepository>,
    clock: Arc<dyn Clock>,
}

impl Drafts {
    #[must_use]
    pub fn new(ports: &Ports) -> Self {
        Self {
            store: ports.drafts.clone(),
            clock: ports.clock.clone(),
        }
    }

    /// The caller's draft.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none (or it expired).
    pub async fn get(&self, applicant: &Applicant) -> Result<Draft, Error> {
        let subject = applicant.subject();
        self.store
            .draft(subject, self.clock.now())
            .await?
            .ok_or(Error::NotFound)
    }

    /// Saves the caller's draft (`body`: the answers, a JSON object as text), for 30 days.
    ///
    /// # Errors
    /// [`Error::Invalid`] over [`MAX_DRAFT_BYTES`].
    pub async fn save(&self, applicant: &Applicant, body: String) -> Result<Draft, Error> {
        let subject = applicant.subject();
        if body.len() > MAX_DRAFT_BYTES {
            return Err(Error::Invalid(vec![FieldError::new(
                "answers",
                FieldCode::TooLong,
                format!("a draft holds at most {MAX_DRAFT_BYTES} bytes"),
            )]));
        }
        let now = self.clock.now();
        let draft = Draft {
            body,
            updated_at: now,
            expires_at: now + chrono::Duration::days(DRAFT_LIFETIME_DAYS),
        };
        self.store.save_draft(subject, &draft).await?;
        Ok(draft)
    }

    /// Deletes the caller's draft.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there was none.
    pub async fn delete(&self, applicant: &Applicant) -> Result<(), Error> {
        let subject = applicant.subject();
        if self.store.delete_draft(subject).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
