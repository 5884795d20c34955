//! The e-mails a test's API sent: the folder mailer's `.eml` files, and the outbox
//! delivered on demand.

use std::path::PathBuf;
use std::time::Duration;

use crate::TestApp;

impl TestApp {
    /// Folder of the e-mails the folder mailer wrote (`.eml` files).
    #[must_use]
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The `.eml` files written so far, read whole, oldest first by name.
    #[must_use]
    pub fn sent_mail(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Sends every e-mail due in the outbox now, pass after pass of the worker, as
    /// `pge worker` would (without its polling); returns how many were sent.
    pub async fn deliver_mail(&self) -> usize {
        let mut sent = 0;
        for _ in 0..100 {
            let report = self.outbox.run_once(50).await.expect("outbox pass");
            sent += report.sent;
            if report.claimed() == 0 {
                break;
            }
        }
        sent
    }

    /// Delivers the outbox until at least `n` e-mails were written (bounded); returns
    /// them. A pass that finds nothing due (a message waiting for its retry, or leased
    /// by a background worker) is followed by a short pause.
    pub async fn wait_for_mail(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let mail = self.sent_mail();
            if mail.len() >= n {
                return mail;
            }
            if self.deliver_mail().await == 0 {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
        let mail = self.sent_mail();
        assert!(
            mail.len() >= n,
            "expected {n} e-mails, found {}",
            mail.len()
        );
        mail
    }
}
