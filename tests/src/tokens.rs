//! Who calls: bearer tokens of the dev identity provider, signed with one key shared by
//! every test process of this machine.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use infra::identity::{DevIdentityProvider, DevTokenRequest};

use crate::TestApp;

/// Where the tests' dev identity key lives: one key for every test process of this
/// machine (generated once, then copied into each test's data folder, where the API
/// loads it as `pge serve` does).
pub(crate) fn identity_dir() -> PathBuf {
    std::env::temp_dir().join("pge-test-identity")
}

pub(crate) fn identity() -> Arc<DevIdentityProvider> {
    static IDP: OnceLock<Arc<DevIdentityProvider>> = OnceLock::new();
    IDP.get_or_init(|| {
        Arc::new(DevIdentityProvider::load_or_create(&identity_dir()).expect("dev identity key"))
    })
    .clone()
}

impl TestApp {
    #[must_use]
    pub fn token(&self, role: &str, subject: &str, bank: Option<&str>) -> String {
        let request = DevTokenRequest::for_role(role, subject.to_owned(), bank.map(str::to_owned))
            .expect("role");
        self.idp.mint(&request).expect("token")
    }

    #[must_use]
    pub fn applicant(&self, subject: &str) -> String {
        self.token("applicant", subject, None)
    }

    #[must_use]
    pub fn reviewer(&self, subject: &str, bank: &str) -> String {
        self.token("reviewer", subject, Some(bank))
    }

    #[must_use]
    pub fn admin(&self) -> String {
        self.token("admin", "admin-1", None)
    }
}
