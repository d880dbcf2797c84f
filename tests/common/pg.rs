//! A PostgreSQL database of a test's own on the cluster `LIVEDESK_TEST_PG` names (`./test`
//! starts a throwaway one and sets it), dropped when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

pub struct TestDb {
    admin: String,
    pub name: String,
    /// The address of the test's database, for `--store`.
    pub url: String,
}

impl TestDb {
    pub fn new() -> TestDb {
        let admin = std::env::var("LIVEDESK_TEST_PG").unwrap_or_else(|_| {
            panic!(
                "LIVEDESK_TEST_PG is not set: the PostgreSQL store's tests need a cluster. Run `./test`, \
                 which starts a throwaway one, or set LIVEDESK_TEST_PG=postgres://USER@HOST:PORT/postgres"
            )
        });
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("livedesk_e2e_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let mut client = Client::connect(&admin, NoTls).expect("the test cluster answers");
        client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (server, query) = match admin.split_once('?') {
            Some((server, query)) => (server, format!("?{query}")),
            None => (admin.as_str(), String::new()),
        };
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        let url = format!("{base}/{name}{query}");
        TestDb { admin, name, url }
    }

    /// A connection to the test's database.
    pub fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.admin, NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
