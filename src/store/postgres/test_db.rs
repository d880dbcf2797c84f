//! A database of a test's own on the cluster `LIVEDESK_TEST_PG` names (`./test` starts a
//! throwaway one and sets it), for every test of the crate that needs PostgreSQL.

use std::sync::atomic::{AtomicU32, Ordering};

use super::{Secrets, Target};

/// A database of its own on the test cluster, dropped afterwards.
pub(crate) struct TestDb {
    admin: Target,
    pub(crate) target: Target,
}

impl TestDb {
    pub(crate) fn new() -> TestDb {
        let url = std::env::var("LIVEDESK_TEST_PG").unwrap_or_else(|_| {
            panic!(
                "LIVEDESK_TEST_PG is not set: the PostgreSQL store's tests need a cluster. Run `./test`, \
                 which starts a throwaway one, or set LIVEDESK_TEST_PG=postgres://USER@HOST:PORT/postgres"
            )
        });
        let admin = Target::new(&url, &Secrets::from_env(None), None).expect("LIVEDESK_TEST_PG reads");
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("livedesk_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let mut client = admin.connect().expect("the test cluster answers");
        client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        TestDb { target: admin.with_database(&name), admin }
    }

    pub(crate) fn client(&self) -> postgres::Client {
        self.target.connect().unwrap()
    }

    /// `(text, count)` rows of `sql`.
    pub(crate) fn rows(&self, sql: &str) -> Vec<(String, i64)> {
        self.client().query(sql, &[]).unwrap().iter().map(|r| (r.get(0), r.get(1))).collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.target.database().to_owned();
        if let Ok(mut client) = self.admin.connect() {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
