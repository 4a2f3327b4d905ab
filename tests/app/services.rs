//! The use cases on real PostgreSQL and the gateway simulator, without a bot: the rules
//! of a withdrawal's confirmation, the PIN, and a customer's status checks hold whatever
//! chat layer calls them.

use std::time::Duration;

use merchant_bot::{
    app::App,
    domain::{AccountId, AccountLabel, Amount, InvoiceState, TelegramUserId},
    i18n::Lang,
    providers::Destination,
    services::{
        accounts::{self, LinkedAccount},
        invoices::{self, CHECK_EVERY},
        pin::{self, PinCheck, PinState},
        withdrawals::{self, Confirmed, Next},
    },
    simulator, storage,
    storage::cards::Audience,
};

use crate::support::{FakeTelegram, TestDb, demo_qris, settings, test_app};

const OWNER: TelegramUserId = TelegramUserId::new(4242);

struct Setup {
    app: App,
    account_id: AccountId,
    _db: TestDb,
    _tg: FakeTelegram,
    _sim: simulator::Running,
}

impl Setup {
    /// The QRIS account, as an update's read finds it.
    async fn account(&self) -> LinkedAccount {
        accounts::get(&self.app, OWNER, self.account_id).await.unwrap().expect("linked")
    }
}

/// An `App` on a fresh database with one QRIS account of [`OWNER`] at the simulator.
async fn setup() -> Setup {
    let tg = FakeTelegram::start().await;
    let db = TestDb::new().await;
    let sim = simulator::start("127.0.0.1:0".parse().unwrap()).await.expect("the simulator starts");
    let mut s = settings(&tg, &db);
    s.qris_api_url = Some(sim.url.clone());
    let app = test_app(db.pool.clone(), s.config().expect("valid settings"));
    storage::users::touch(&app.pool, OWNER, None).await.unwrap();
    let label = AccountLabel::parse("kasir").unwrap();
    let account = storage::accounts::insert(&app.pool, app.key(), OWNER, &label, &demo_qris()).await.unwrap();
    Setup { app, account_id: account.id, _db: db, _tg: tg, _sim: sim }
}

fn dana() -> Destination {
    Destination::Dana { number: "081234567890".into(), name: "Siti".into() }
}

fn rupiah(n: i64) -> Amount {
    Amount::from_rupiah(n).unwrap()
}

#[tokio::test]
async fn confirm_is_taken_once_and_a_draft_older_than_a_dialogue_expires() {
    let s = setup().await;
    let account = s.account().await;
    let no_pin = PinState::default();
    let row = withdrawals::draft(&s.app, OWNER, &account, rupiah(50_000), &dana()).await.unwrap().unwrap();
    assert!(matches!(withdrawals::confirm(&s.app, OWNER, row.id, &no_pin).await.unwrap(), Confirmed::Ready(_)));
    assert!(matches!(withdrawals::confirm(&s.app, OWNER, row.id, &no_pin).await.unwrap(), Confirmed::Taken));
    // Someone else's withdrawal is unknown to them.
    assert!(matches!(
        withdrawals::confirm(&s.app, TelegramUserId::new(OWNER.get() + 1), row.id, &no_pin).await.unwrap(),
        Confirmed::Unknown
    ));

    let old = withdrawals::draft(&s.app, OWNER, &account, rupiah(50_000), &dana()).await.unwrap().unwrap();
    s.app.clock.advance(s.app.config.dialogue_timeout + Duration::from_secs(60));
    assert!(matches!(withdrawals::confirm(&s.app, OWNER, old.id, &no_pin).await.unwrap(), Confirmed::Expired));
    let stored = withdrawals::get(&s.app, OWNER, old.id).await.unwrap().unwrap();
    assert_eq!(stored.status.as_str(), "expired");
    // A draft of an account that is gone (unlinked after the update read it) is refused,
    // and nothing is written.
    let gone = LinkedAccount { id: AccountId::new(s.account_id.get() + 99), ..account.clone() };
    assert!(withdrawals::draft(&s.app, OWNER, &gone, rupiah(1), &dana()).await.unwrap().is_none());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM withdrawals").fetch_one(&s.app.pool).await.unwrap();
    assert_eq!(count, 2, "the two drafts above, and no third");
}

#[tokio::test]
async fn the_pin_is_asked_above_its_threshold_and_five_wrong_ones_lock_withdrawals() {
    let s = setup().await;
    assert!(pin::hash_new("12a4".into()).await.unwrap().is_err(), "not digits");
    let hash = pin::hash_new("482913".into()).await.unwrap().unwrap();
    pin::set(&s.app, OWNER, &hash).await.unwrap();
    pin::set_threshold(&s.app, OWNER, 100_000).await.unwrap();

    let account = s.account().await;
    let small = withdrawals::draft(&s.app, OWNER, &account, rupiah(100_000), &dana()).await.unwrap().unwrap();
    let state = pin::state(&s.app, OWNER).await.unwrap();
    assert_eq!(withdrawals::next_step(&small, Some(&state)), Next::Submit);
    let large = withdrawals::draft(&s.app, OWNER, &account, rupiah(100_001), &dana()).await.unwrap().unwrap();
    assert_eq!(withdrawals::next_step(&large, Some(&state)), Next::Pin);
    // After a right PIN the same withdrawal goes on to the submit.
    assert_eq!(withdrawals::next_step(&large, None), Next::Submit);

    assert_eq!(pin::check(&s.app, OWNER, "482913".into()).await.unwrap(), PinCheck::Right);
    for left in (1..=4).rev() {
        assert_eq!(pin::check(&s.app, OWNER, "000000".into()).await.unwrap(), PinCheck::Wrong { left });
    }
    assert_eq!(pin::check(&s.app, OWNER, "000000".into()).await.unwrap(), PinCheck::Locked);
    // Locked: even the right PIN is refused, and Confirm cancels the draft.
    assert_eq!(pin::check(&s.app, OWNER, "482913".into()).await.unwrap(), PinCheck::Locked);
    assert!(pin::locked_until(&s.app, OWNER).await.unwrap().is_some());
    let state = pin::state(&s.app, OWNER).await.unwrap();
    assert!(matches!(withdrawals::confirm(&s.app, OWNER, large.id, &state).await.unwrap(), Confirmed::Locked(_)));
    assert_eq!(withdrawals::get(&s.app, OWNER, large.id).await.unwrap().unwrap().status.as_str(), "cancelled");
    // The lock ends by the clock.
    s.app.clock.advance(Duration::from_secs(16 * 60));
    assert!(pin::locked_until(&s.app, OWNER).await.unwrap().is_none());
}

#[tokio::test]
async fn a_customer_check_asks_the_gateway_at_most_once_per_interval() {
    let s = setup().await;
    let opened = accounts::opened(&s.app, OWNER).await.unwrap();
    let usable = accounts::open(&s.app, &opened, s.account_id).unwrap();
    let (row, _) = invoices::create(&s.app, OWNER, &usable, rupiah(25_000)).await.unwrap().unwrap();
    let (row, asked) = invoices::customer_check(&s.app, row).await.unwrap();
    assert!(asked, "the first check asks the gateway");
    let (_, asked) = invoices::customer_check(&s.app, row.clone()).await.unwrap();
    assert!(!asked, "a second check within {CHECK_EVERY:?} is answered from the record");
    // An account that is not among the user's opens nothing.
    assert!(matches!(
        accounts::open(&s.app, &opened, AccountId::new(s.account_id.get() + 1)),
        Err(accounts::Unusable::Gone)
    ));
}

#[tokio::test]
async fn a_card_the_refresher_is_drawing_is_not_drawn_by_a_handler_too() {
    let s = setup().await;
    let opened = accounts::opened(&s.app, OWNER).await.unwrap();
    let usable = accounts::open(&s.app, &opened, s.account_id).unwrap();
    let (chat, lease) = (OWNER.get(), Duration::from_secs(60));
    for (message, refresher_first) in [(10, true), (11, false)] {
        let (row, _) = invoices::create(&s.app, OWNER, &usable, rupiah(25_000)).await.unwrap().unwrap();
        invoices::posted(&s.app, &row, Audience::Merchant, chat, message, Lang::En, true).await.unwrap();
        // The invoice ends (a Check status press recorded it); the handler is about to
        // redraw its card, and the refresher may have claimed it in between.
        storage::invoices::set_status(&s.app.pool, row.id, InvoiceState::Paid).await.unwrap();
        if refresher_first {
            let claimed = storage::cards::claim(&s.app.pool, 10, lease).await.unwrap();
            assert_eq!(claimed.len(), 1);
            assert!(
                !invoices::card_shown(&s.app, chat, message, InvoiceState::Paid).await.unwrap(),
                "the refresher holds the card: the handler leaves it"
            );
            assert!(
                storage::cards::mark_shown(&s.app.pool, &claimed[0], InvoiceState::Paid).await.unwrap(),
                "and the refresher's claim still stands"
            );
        } else {
            assert!(invoices::card_shown(&s.app, chat, message, InvoiceState::Paid).await.unwrap());
            assert!(
                storage::cards::claim(&s.app.pool, 10, lease).await.unwrap().is_empty(),
                "the handler took the card: nothing left to refresh"
            );
        }
    }
}
