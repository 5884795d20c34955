//! Reviewer accounts: the `IdentityAdmin` fake.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use domain::ports::{CreateReviewerError, IdentityAdmin};
use domain::submission::{BankCode, EmailAddress};

use super::*;

/// Reviewer accounts: one per e-mail address.
#[derive(Default)]
pub struct InMemoryIdentity {
    accounts: Mutex<HashSet<String>>,
    /// When set, the provider is down.
    pub unavailable: AtomicBool,
}

#[async_trait]
impl IdentityAdmin for InMemoryIdentity {
    async fn create_reviewer(
        &self,
        email: &EmailAddress,
        bank: &BankCode,
    ) -> Result<String, CreateReviewerError> {
        if self.unavailable.load(Ordering::Relaxed) {
            return Err(CreateReviewerError::Unavailable("down".to_owned()));
        }
        let mut accounts = lock(&self.accounts);
        if !accounts.insert(email.as_str().to_lowercase()) {
            return Err(CreateReviewerError::Duplicate);
        }
        Ok(format!("reviewer-{}-{}", bank.as_str(), accounts.len()))
    }
}
