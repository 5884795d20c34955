//! The e-mails a test's API sent: the folder mailer's `.eml` files, the outbox delivered
//! on demand, and the background workers' passes to wait on
//! ([`infra::worker::OutboxWorker::passes`]) instead of the clock.

use std::path::PathBuf;
use std::time::Duration;

use crate::TestApp;

/// Longest a background worker may take to end a pass (its sends time out before).
const WORKER_PASS_BOUND: Duration = Duration::from_secs(30);

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
    /// them. When this test's own pass finds nothing due, what is left is leased by a
    /// background worker, whose pass is then waited for, or waits for its retry (a
    /// short pause, without background workers: only the retry's time can change that).
    pub async fn wait_for_mail(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let mail = self.sent_mail();
            if mail.len() >= n {
                return mail;
            }
            let since = self.passes_ended();
            if self.deliver_mail().await == 0 {
                if self.worker_passes.is_empty() {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                } else {
                    self.passes_beyond(&since, 1).await;
                }
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

    /// How many passes each background outbox worker has ended so far.
    fn passes_ended(&self) -> Vec<u64> {
        self.worker_passes.iter().map(|p| *p.borrow()).collect()
    }

    /// Waits until each background outbox worker has ended `more` passes beyond those
    /// counted in `since` (bounded by [`WORKER_PASS_BOUND`] each).
    async fn passes_beyond(&self, since: &[u64], more: u64) {
        assert!(
            !self.worker_passes.is_empty(),
            "no background outbox worker to wait for (Options {{ worker: true, .. }})"
        );
        for (passes, seen) in self.worker_passes.iter().zip(since) {
            let mut passes = passes.clone();
            tokio::time::timeout(
                WORKER_PASS_BOUND,
                passes.wait_for(|ended| *ended >= seen + more),
            )
            .await
            .unwrap_or_else(|_| {
                panic!("a background outbox worker ended no pass in {WORKER_PASS_BOUND:?}")
            })
            .expect("a background outbox worker stopped");
        }
    }

    /// Waits until every background outbox worker has ended the pass it is in (or, idle,
    /// its next one): what it had claimed is sent or failed, and marked so.
    pub async fn outbox_workers_pass(&self) {
        let since = self.passes_ended();
        self.passes_beyond(&since, 1).await;
    }

    /// Waits until every background outbox worker has run a whole pass begun after this
    /// call: whatever the workers would do with the outbox as it is now, they have done.
    /// A test asserting that something did not happen has then given it its chance.
    pub async fn outbox_workers_caught_up(&self) {
        let since = self.passes_ended();
        self.passes_beyond(&since, 2).await;
    }
}
