//! The storage layer on real PostgreSQL: dialogues that outlive a process, credentials
//! sealed at rest, key rotation.

use std::time::Duration;

use merchant_bot::{
    crypto::{MasterKey, OpenError},
    domain::{AccountId, AccountLabel, Credentials, TelegramUserId},
    storage::{
        accounts::{self, AccountError},
        dialogue::PgDialogueStorage,
        users,
    },
};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use teloxide::{dispatching::dialogue::Storage, types::ChatId};

use crate::support::TestDb;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Flow {
    AskAmount { account: i64 },
    Confirm { account: i64, amount: u64 },
}

#[tokio::test]
async fn a_dialogue_survives_a_new_process() {
    let db = TestDb::new().await;
    let first = PgDialogueStorage::<Flow>::new(db.pool.clone(), Duration::from_secs(600));
    first.clone().update_dialogue(ChatId(7), Flow::AskAmount { account: 1 }).await.unwrap();
    first.clone().update_dialogue(ChatId(7), Flow::Confirm { account: 1, amount: 25_000 }).await.unwrap();
    drop(first);

    let second = PgDialogueStorage::<Flow>::new(db.new_pool().await, Duration::from_secs(600));
    assert_eq!(
        second.clone().get_dialogue(ChatId(7)).await.unwrap(),
        Some(Flow::Confirm { account: 1, amount: 25_000 })
    );
    assert_eq!(second.clone().get_dialogue(ChatId(8)).await.unwrap(), None);
    second.clone().remove_dialogue(ChatId(7)).await.unwrap();
    assert_eq!(second.get_dialogue(ChatId(7)).await.unwrap(), None);
}

#[tokio::test]
async fn an_idle_dialogue_expires() {
    let db = TestDb::new().await;
    let storage = PgDialogueStorage::<Flow>::new(db.pool.clone(), Duration::from_secs(600));
    storage.clone().update_dialogue(ChatId(9), Flow::AskAmount { account: 2 }).await.unwrap();
    assert!(storage.clone().get_dialogue(ChatId(9)).await.unwrap().is_some());
    let ttl: f64 = sqlx::query_scalar("SELECT extract(epoch FROM expires_at - updated_at)::float8 FROM dialogues")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!((ttl - 600.0).abs() < 1.0, "the dialogue lives its timeout: {ttl}");
    // Eleven idle minutes, as the stored times show them (no test waits for real).
    sqlx::query("UPDATE dialogues SET updated_at = updated_at - interval '11 minutes', expires_at = expires_at - interval '11 minutes'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(storage.get_dialogue(ChatId(9)).await.unwrap(), None);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM dialogues").fetch_one(&db.pool).await.unwrap();
    assert_eq!(rows, 0, "the expired row is gone");
}

const API_KEY: &str = "Sy7PqL0ngS3cretApiKeyzjMu";

async fn link(
    pool: &PgPool,
    key: &MasterKey,
    owner: i64,
    label: &str,
    credentials: &Credentials,
) -> Result<AccountId, AccountError> {
    users::touch(pool, TelegramUserId::new(owner), Some("id")).await.unwrap();
    Ok(accounts::insert(pool, key, TelegramUserId::new(owner), &AccountLabel::parse(label).unwrap(), credentials)
        .await?
        .id)
}

/// A user id long enough not to turn up by chance in the dump (a 5-digit one did: inside
/// a timestamp's microseconds or a ciphertext's hex).
const USER_ID: &str = "731206415928";

fn bukalapak() -> Credentials {
    Credentials::Bukalapak { user_id: USER_ID.into(), api_key: API_KEY.into() }
}

#[tokio::test]
async fn credentials_round_trip_and_the_secret_is_nowhere_in_the_database() {
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    let id = link(&db.pool, &key, 501, "toko-1", &bukalapak()).await.unwrap();
    let snap = Credentials::Snap {
        partner_id: "partner-9".into(),
        client_secret: "cl1ent-s3cret-value".into(),
        account_id: "acc-1".into(),
    };
    let snap_id = link(&db.pool, &key, 501, "snap", &snap).await.unwrap();

    assert_eq!(accounts::credentials(&db.pool, &key, TelegramUserId::new(501), id).await.unwrap(), bukalapak());
    assert_eq!(accounts::credentials(&db.pool, &key, TelegramUserId::new(501), snap_id).await.unwrap(), snap);
    let dump = crate::support::dump_database(&db.pool).await;
    for secret in [API_KEY, "cl1ent-s3cret-value", USER_ID, "partner-9"] {
        assert!(!dump.contains(secret), "{secret} is stored in plaintext");
    }
    // The first account is the default; labels are unique per owner, not globally.
    let list = accounts::list(&db.pool, TelegramUserId::new(501)).await.unwrap();
    assert_eq!(
        list.iter().map(|a| (a.label.as_str(), a.is_default)).collect::<Vec<_>>(),
        vec![("toko-1", true), ("snap", false)]
    );
    assert!(matches!(link(&db.pool, &key, 501, "toko-1", &bukalapak()).await, Err(AccountError::LabelTaken)));
    link(&db.pool, &key, 502, "toko-1", &bukalapak()).await.unwrap();
}

#[tokio::test]
async fn another_users_account_cannot_be_read() {
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    let id = link(&db.pool, &key, 601, "toko", &bukalapak()).await.unwrap();
    users::touch(&db.pool, TelegramUserId::new(602), None).await.unwrap();
    assert!(matches!(
        accounts::credentials(&db.pool, &key, TelegramUserId::new(602), id).await,
        Err(AccountError::NotFound)
    ));
}

#[tokio::test]
async fn a_wrong_key_a_tampered_row_and_a_moved_row_are_refused() {
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    let a = link(&db.pool, &key, 701, "a", &bukalapak()).await.unwrap();
    let b = link(
        &db.pool,
        &key,
        701,
        "b",
        &Credentials::Bukalapak { user_id: "999".into(), api_key: "another-key-value-000".into() },
    )
    .await
    .unwrap();

    let other = MasterKey::parse(&MasterKey::generate()).unwrap();
    match accounts::credentials(&db.pool, &other, TelegramUserId::new(701), a).await {
        Err(AccountError::Sealed { source: OpenError::WrongKey { stored, current }, .. }) => {
            assert_eq!((stored.as_str(), current.as_str()), (key.id(), other.id()));
        }
        other => panic!("expected a wrong-key error, got {other:?}"),
    }

    // One flipped bit in the stored ciphertext.
    sqlx::query(
        "UPDATE linked_accounts SET credentials = set_byte(credentials, 3, get_byte(credentials, 3) # 1) WHERE id = $1",
    )
    .bind(a)
    .execute(&db.pool)
    .await
    .unwrap();
    assert!(matches!(
        accounts::credentials(&db.pool, &key, TelegramUserId::new(701), a).await,
        Err(AccountError::Sealed { source: OpenError::Tampered, .. })
    ));

    // Row b's sealed credentials copied into row a: they belong to b and do not open in a.
    sqlx::query("UPDATE linked_accounts SET (credentials, nonce, key_id) = (SELECT credentials, nonce, key_id FROM linked_accounts WHERE id = $2) WHERE id = $1")
        .bind(a)
        .bind(b)
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(matches!(
        accounts::credentials(&db.pool, &key, TelegramUserId::new(701), a).await,
        Err(AccountError::Sealed { source: OpenError::Tampered, .. })
    ));
    assert!(accounts::credentials(&db.pool, &key, TelegramUserId::new(701), b).await.is_ok());
}

#[tokio::test]
async fn rotate_key_keeps_everything_readable_under_the_new_key_only() {
    let db = TestDb::new().await;
    let old = MasterKey::parse(&MasterKey::generate()).unwrap();
    let new = MasterKey::parse(&MasterKey::generate()).unwrap();
    let mut ids = Vec::new();
    for (owner, label) in [(801, "a"), (801, "b"), (802, "a")] {
        ids.push((owner, link(&db.pool, &old, owner, label, &bukalapak()).await.unwrap()));
    }
    assert_eq!(accounts::rotate_key(&db.pool, &old, &new).await.unwrap(), 3);
    for (owner, id) in &ids {
        assert_eq!(accounts::credentials(&db.pool, &new, TelegramUserId::new(*owner), *id).await.unwrap(), bukalapak());
        assert!(accounts::credentials(&db.pool, &old, TelegramUserId::new(*owner), *id).await.is_err());
    }
    let key_ids: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT key_id FROM linked_accounts").fetch_all(&db.pool).await.unwrap();
    assert_eq!(key_ids, vec![new.id().to_owned()]);
}

#[tokio::test]
async fn rotate_key_with_the_wrong_current_key_changes_nothing() {
    let db = TestDb::new().await;
    let old = MasterKey::parse(&MasterKey::generate()).unwrap();
    let stranger = MasterKey::parse(&MasterKey::generate()).unwrap();
    let new = MasterKey::parse(&MasterKey::generate()).unwrap();
    let id = link(&db.pool, &old, 901, "a", &bukalapak()).await.unwrap();
    assert!(accounts::rotate_key(&db.pool, &stranger, &new).await.is_err());
    assert_eq!(accounts::credentials(&db.pool, &old, TelegramUserId::new(901), id).await.unwrap(), bukalapak());
}

#[tokio::test]
async fn seeing_a_user_records_a_new_language_code_and_lifts_a_block() {
    let db = TestDb::new().await;
    assert_eq!(
        users::touch(&db.pool, TelegramUserId::new(42), Some("id")).await.unwrap().lang(),
        merchant_bot::i18n::Lang::Id
    );
    assert_eq!(
        users::touch(&db.pool, TelegramUserId::new(42), None).await.unwrap().language_code.as_deref(),
        Some("id"),
        "no code keeps the old one"
    );
    assert_eq!(
        users::touch(&db.pool, TelegramUserId::new(42), Some("en")).await.unwrap().lang(),
        merchant_bot::i18n::Lang::En
    );
    sqlx::query("UPDATE users SET blocked_at = now() WHERE telegram_id = 42").execute(&db.pool).await.unwrap();
    users::touch(&db.pool, TelegramUserId::new(42), Some("en")).await.unwrap();
    let blocked: bool = sqlx::query_scalar("SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id = 42")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!blocked, "a user who writes again is no longer blocked");
}

#[tokio::test]
async fn parallel_pin_guesses_from_several_replicas_get_five_tries_in_all() {
    let db = TestDb::new().await;
    users::touch(&db.pool, TelegramUserId::new(71), None).await.unwrap();
    let other = db.new_pool().await;
    let tries = (0..20).map(|i| {
        let pool = if i % 2 == 0 { db.pool.clone() } else { other.clone() };
        async move { users::pin_attempt(&pool, TelegramUserId::new(71), 5, 15).await.unwrap() }
    });
    let granted: Vec<i32> = futures::future::join_all(tries).await.into_iter().flatten().collect();
    let mut sorted = granted.clone();
    sorted.sort();
    assert_eq!(sorted, [1, 2, 3, 4, 5], "exactly five guesses are checked before the lock");
    assert!(users::pin_state(&db.pool, TelegramUserId::new(71)).await.unwrap().locked());
    // A lock that ran out starts the count afresh.
    sqlx::query("UPDATE users SET pin_locked_until = now() - interval '1 second' WHERE telegram_id = 71")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(users::pin_attempt(&db.pool, TelegramUserId::new(71), 5, 15).await.unwrap(), Some(1));
}

#[tokio::test]
async fn unchanged_watches_are_written_in_one_statement_and_only_while_still_held() {
    use merchant_bot::{domain::events::WatchKind, storage::watches};
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    let account = link(&db.pool, &key, 61, "toko", &bukalapak()).await.unwrap();
    for id in ["d-1", "d-2", "d-3"] {
        watches::watch(&db.pool, TelegramUserId::new(61), account, WatchKind::Disbursement, id, None).await.unwrap();
    }
    let claimed = watches::claim(&db.pool, 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    // The lease of one ran out and another poller holds it now.
    sqlx::query("UPDATE watches SET lease_until = now() + interval '1 hour' WHERE gateway_id = 'd-1'")
        .execute(&db.pool)
        .await
        .unwrap();
    let written = watches::reschedule(&db.pool, &claimed, Duration::from_secs(30), true).await.unwrap();
    assert_eq!(written, 2, "the stolen one is left to its new poller");
    let rows: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT gateway_id, lease_until IS NULL, next_check_at > now() + interval '25 seconds'
         FROM watches ORDER BY gateway_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [("d-1".to_owned(), false, false), ("d-2".to_owned(), true, true), ("d-3".to_owned(), true, true)]
    );
    assert!(watches::claim(&db.pool, 10, Duration::from_secs(60)).await.unwrap().is_empty(), "none due now");
}

#[tokio::test]
async fn a_claim_takes_whole_accounts_most_overdue_first() {
    use merchant_bot::{domain::events::WatchKind, storage::watches};
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    let late = link(&db.pool, &key, 62, "late", &bukalapak()).await.unwrap();
    let early = link(&db.pool, &key, 62, "early", &bukalapak()).await.unwrap();
    for (account, id) in [(late, "l-1"), (early, "e-1"), (late, "l-2"), (early, "e-2"), (late, "l-3")] {
        watches::watch(&db.pool, TelegramUserId::new(62), account, WatchKind::Disbursement, id, None).await.unwrap();
    }
    // The accounts' watches are due at interleaved times; "early" holds the most overdue.
    for (id, minutes) in [("e-1", 10), ("l-1", 9), ("e-2", 8), ("l-2", 7), ("l-3", 6)] {
        sqlx::query("UPDATE watches SET next_check_at = now() - make_interval(mins => $2) WHERE gateway_id = $1")
            .bind(id)
            .bind(minutes)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let first = watches::claim(&db.pool, 2, Duration::from_secs(60)).await.unwrap();
    let ids: Vec<&str> = first.iter().map(|w| w.gateway_id.as_str()).collect();
    assert_eq!(ids, ["e-1", "e-2"], "one account's watches together, not the two most overdue of any");
    let rest = watches::claim(&db.pool, 10, Duration::from_secs(60)).await.unwrap();
    let mut ids: Vec<&str> = rest.iter().map(|w| w.gateway_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["l-1", "l-2", "l-3"]);
}

#[tokio::test]
async fn a_known_user_is_only_read_when_an_update_starts_and_a_change_is_written() {
    let db = TestDb::new().await;
    // xmax is set on a row that was locked or updated; a plain read leaves it alone.
    let row_xmax = || async {
        let xmax: String = sqlx::query_scalar("SELECT xmax::text FROM users WHERE telegram_id = 77")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        xmax
    };
    let first = users::enter(&db.pool, TelegramUserId::new(77), Some("id"), 77).await.unwrap();
    assert_eq!(first.user.language_code.as_deref(), Some("id"));
    assert!(first.dialogue.is_none() && first.known.accounts.is_empty() && first.known.pin.hash.is_none());
    assert_eq!(row_xmax().await, "0");
    for _ in 0..3 {
        let again = users::enter(&db.pool, TelegramUserId::new(77), Some("id"), 77).await.unwrap();
        assert_eq!(again.user.lang(), merchant_bot::i18n::Lang::Id);
    }
    users::enter(&db.pool, TelegramUserId::new(77), None, 77).await.unwrap();
    assert_eq!(row_xmax().await, "0", "seeing a known user neither locks nor writes its row");
    let changed = users::enter(&db.pool, TelegramUserId::new(77), Some("en"), 77).await.unwrap();
    assert_eq!(changed.user.language_code.as_deref(), Some("en"));
    let stored: String =
        sqlx::query_scalar("SELECT language_code FROM users WHERE telegram_id = 77").fetch_one(&db.pool).await.unwrap();
    assert_eq!(stored, "en", "a new language code is written");
}

/// The names a CHECK constraint allows for a column, read from the migrated database.
async fn allowed_names(pool: &PgPool, constraint: &str) -> std::collections::BTreeSet<String> {
    let definition: String =
        sqlx::query_scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1")
            .bind(constraint)
            .fetch_one(pool)
            .await
            .unwrap();
    definition.split('\'').skip(1).step_by(2).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_state_types_name_exactly_what_the_database_allows() {
    use merchant_bot::domain::{InvoiceState, Provider, WithdrawalState, events::WatchKind};
    let db = TestDb::new().await;
    let names = |all: Vec<&str>| all.into_iter().map(str::to_owned).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        allowed_names(&db.pool, "withdrawals_status_check").await,
        names(WithdrawalState::ALL.iter().map(|s| s.as_str()).collect())
    );
    assert_eq!(
        allowed_names(&db.pool, "invoices_status_check").await,
        names(InvoiceState::ALL.iter().map(|s| s.as_str()).collect())
    );
    assert_eq!(
        allowed_names(&db.pool, "linked_accounts_provider_check").await,
        names(Provider::ALL.iter().map(|p| p.as_str()).collect())
    );
    let watch_kinds = allowed_names(&db.pool, "watches_kind_check").await;
    assert_eq!(watch_kinds, names(WatchKind::ALL.iter().map(|k| k.as_str()).collect()));
}

/// How many rows of `tables` the server has counted as read (by scans and through
/// indexes). The function's own connection first makes its pending counts public
/// (PostgreSQL flushes a backend's table counts lazily; `pg_stat_force_next_flush` makes
/// it do so before its next answer).
async fn rows_read(conn: &mut sqlx::PgConnection, tables: &[&str]) -> i64 {
    sqlx::query("SELECT pg_stat_force_next_flush()").execute(&mut *conn).await.unwrap();
    sqlx::query_scalar(
        "SELECT sum(seq_tup_read + coalesce(idx_tup_fetch, 0))::int8 FROM pg_stat_user_tables WHERE relname = ANY($1)",
    )
    .bind(tables)
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn reading_a_merchants_accounts_does_not_read_every_merchants() {
    // Every update that talks to a gateway reads the user's accounts with their
    // credentials. With 3,000 other merchants linked, that read must look up the user's
    // own (and the accounts they are staff on), not go through all of them: a scan per
    // update is what held the bot to a third of its speed with 10,000 merchants.
    let db = TestDb::new().await;
    let key = MasterKey::parse(&MasterKey::generate()).unwrap();
    sqlx::raw_sql(
        "INSERT INTO users (telegram_id, chat_id) SELECT g, g FROM generate_series(1000, 3999) g;
         INSERT INTO linked_accounts (owner_id, provider, label, credentials, nonce, key_id, is_default)
           SELECT g, 'qris', 'kasir', '\\x00', '\\x000000000000000000000000', 'k', true
           FROM generate_series(1000, 3999) g",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    users::touch(&db.pool, TelegramUserId::new(42), None).await.unwrap();
    let own = accounts::insert(
        &db.pool,
        &key,
        TelegramUserId::new(42),
        &AccountLabel::parse("kasir").unwrap(),
        &crate::support::demo_qris(),
    )
    .await
    .unwrap();
    // The owner of account 1000's staff member 42 may invoice on it.
    let staffed: i64 =
        sqlx::query_scalar("SELECT id FROM linked_accounts WHERE owner_id = 1000").fetch_one(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO staff (owner_id, staff_id, account_id, name) VALUES (1000, 42, $1, 'Kasir')")
        .bind(staffed)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();

    // One connection, so that the counts read are the ones the read itself made.
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&db.url).await.unwrap();
    let before = rows_read(&mut pool.acquire().await.unwrap(), &["linked_accounts"]).await;
    let opened = accounts::list_opened(&pool, &key, TelegramUserId::new(42)).await.unwrap();
    let after = rows_read(&mut pool.acquire().await.unwrap(), &["linked_accounts"]).await;

    let ids: Vec<AccountId> = opened.iter().map(|(account, _)| account.id).collect();
    assert_eq!(ids, vec![own.id, AccountId::new(staffed)], "the own account first, then the one as staff");
    assert!(after - before <= 4, "the accounts were looked up, not scanned: {} rows read", after - before);

    // The same accounts come with the user when an update starts, the same way.
    let before = rows_read(&mut pool.acquire().await.unwrap(), &["linked_accounts"]).await;
    let entered = users::enter(&pool, TelegramUserId::new(42), None, 42).await.unwrap();
    let after = rows_read(&mut pool.acquire().await.unwrap(), &["linked_accounts"]).await;
    let read: Vec<AccountId> = entered.known.accounts.iter().map(|sealed| sealed.open(&key).unwrap().0.id).collect();
    assert_eq!(read, ids, "the same accounts in the same order");
    assert!(entered.known.accounts[0].open(&key).unwrap().1.is_ok(), "the own account's credentials open");
    assert!(after - before <= 4, "the accounts were looked up, not scanned: {} rows read", after - before);
}

#[tokio::test]
async fn the_card_refresher_reads_only_the_cards_of_ended_invoices() {
    use merchant_bot::{
        domain::{InvoiceId, InvoiceState},
        storage::{cards, invoices},
    };
    // 3,000 open invoices, each with its card on a merchant's chat: the refresher runs
    // five times a second and must not go through them all to find the few that ended.
    let db = TestDb::new().await;
    sqlx::raw_sql(
        "INSERT INTO users (telegram_id, chat_id) VALUES (7, 7);
         INSERT INTO invoices (owner_id, account_label, gateway_invoice_id, amount, total, status)
           SELECT 7, 'kasir', 'INV-' || g, 10000, 10000, 'pending' FROM generate_series(1, 3000) g;
         INSERT INTO invoice_cards (invoice_id, audience, chat_id, message_id, lang, is_photo)
           SELECT id, 'merchant', 7, id, 'id', true FROM invoices",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM invoices ORDER BY id").fetch_all(&db.pool).await.unwrap();
    let (ended, paid_before) = (InvoiceId::new(ids[16]), InvoiceId::new(ids[41]));
    // One ends through the bot; another card is posted for an invoice already paid.
    invoices::set_status(&db.pool, ended, InvoiceState::Paid).await.unwrap();
    invoices::set_status(&db.pool, paid_before, InvoiceState::Expired).await.unwrap();
    cards::insert(&db.pool, paid_before, cards::Audience::Customer, 99, 1, merchant_bot::i18n::Lang::En, true)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();

    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&db.url).await.unwrap();
    let before = rows_read(&mut pool.acquire().await.unwrap(), &["invoice_cards", "invoices"]).await;
    let claimed = cards::claim(&pool, 50, Duration::from_secs(30)).await.unwrap();
    let after = rows_read(&mut pool.acquire().await.unwrap(), &["invoice_cards", "invoices"]).await;

    let mut due: Vec<(InvoiceId, Option<i64>)> = claimed.iter().map(|c| (c.invoice.id, c.card_chat_id)).collect();
    due.sort();
    assert_eq!(due, vec![(ended, Some(7)), (paid_before, Some(7)), (paid_before, Some(99))]);
    assert!(
        after - before <= 12,
        "the cards due and their invoices were looked up, not found among all: {} rows read",
        after - before
    );
}
