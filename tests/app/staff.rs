//! Staff: an owner invites a cashier with a one-time link; the cashier makes invoices on
//! the owner's account and nothing else; a removal takes effect at once.

use serde_json::json;

use crate::support::{TestApp, TestUser, demo_qris, fake_telegram::BOT_USERNAME};

async fn fast_app() -> TestApp {
    TestApp::spawn_with(|s| s.notify_poll_interval = Some("200ms".into())).await
}

/// The owner presses Invite in /staff; returns the invite's start parameter.
async fn invite(app: &TestApp, owner: &TestUser, label: &str) -> String {
    app.tg.send_text(owner, "/staff");
    let menu = app.tg.message(owner.id).await;
    app.tg.press(owner, &menu, &menu.button(&format!("Invite for {label}")));
    let sent = app.tg.message(owner.id).await;
    assert!(sent.text.contains("works <b>once</b>, for <b>24 hours</b>"), "{}", sent.text);
    let prefix = format!("https://t.me/{BOT_USERNAME}?start=");
    let start = sent.text.split(&prefix).nth(1).expect("the invite link");
    start.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

/// `user` opens the invite and becomes staff; the owner hears of it.
async fn join(app: &TestApp, owner: &TestUser, user: &TestUser, start: &str) {
    app.tg.send_text(user, &format!("/start {start}"));
    let welcome = app.tg.message(user.id).await;
    assert!(welcome.text.contains("You are now staff on <b>kasir</b>"), "{}", welcome.text);
    let told = app.tg.message(owner.id).await;
    assert!(
        told.text.contains(&format!("<b>{}</b> joined your staff for <b>kasir</b>", user.first_name)),
        "{}",
        told.text
    );
}

#[tokio::test]
async fn a_cashier_makes_invoices_and_nothing_else_and_both_hear_when_paid() {
    let app = fast_app().await;
    let ani = TestUser::new(9801, "Ani", Some("en"));
    let budi = TestUser::new(9802, "Budi", Some("en"));
    let cici = TestUser::new(9803, "Cici", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    let start = invite(&app, &ani, "kasir").await;
    join(&app, &ani, &budi, &start).await;
    // The invite works once.
    app.tg.send_text(&cici, &format!("/start {start}"));
    assert!(app.tg.message(cici.id).await.text.contains("already used"));

    app.tg.send_text(&budi, "/deposit 25000");
    let card = app.tg.message(budi.id).await;
    assert_eq!(card.method, "sendPhoto");
    assert!(card.text.contains("Rp 25,175"), "{}", card.text);
    let (owner, made_by): (i64, Option<i64>) =
        sqlx::query_as("SELECT owner_id, made_by FROM invoices").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!((owner, made_by), (ani.id, Some(budi.id)), "the owner's invoice, made by the cashier");
    let id = crate::support::invoice_id(&card);
    // The owner's /staff lists Budi and what he did.
    app.tg.send_text(&ani, "/staff");
    let menu = app.tg.message(ani.id).await;
    assert!(menu.text.contains("<b>Budi</b> — kasir"), "{}", menu.text);
    assert!(menu.text.contains(&format!("Budi · made invoice {id} on kasir")), "{}", menu.text);
    assert!(menu.text.contains("Budi · joined") && menu.text.contains("you · made an invite"), "{}", menu.text);

    for command in ["/balance", "/withdraw 10000", "/link", "/accounts", "/pin", "/withdrawals", "/report"] {
        app.tg.send_text(&budi, command);
        let refused = app.tg.message(budi.id).await;
        let name = command.split_whitespace().next().unwrap();
        assert!(
            refused.text.contains("As staff you can make invoices") && refused.text.contains(name),
            "{command}: {}",
            refused.text
        );
    }

    app.control(&format!("/_sim/qris/invoices/{id}/pay"), json!({})).await;
    let to_owner = app.tg.message(ani.id).await;
    assert!(to_owner.text.contains("is <b>paid</b>"), "{}", to_owner.text);
    let to_cashier = app.tg.message(budi.id).await;
    assert!(to_cashier.text.contains("is <b>paid</b>"), "{}", to_cashier.text);
    assert_eq!(to_cashier.call.params["reply_parameters"]["message_id"], card.message_id, "it quotes their card");
    let stamped = app.tg.edit(budi.id).await;
    assert_eq!((stamped.method.as_str(), stamped.message_id), ("editMessageMedia", card.message_id));

    // Each sees the invoice in /invoices.
    app.tg.send_text(&budi, "/invoices");
    assert!(app.tg.message(budi.id).await.text.contains(&id));
    app.tg.send_text(&ani, "/invoices");
    assert!(app.tg.message(ani.id).await.text.contains(&id));

    // The refusals are in the owner's /staff too.
    app.tg.send_text(&ani, "/staff");
    let menu = app.tg.message(ani.id).await;
    assert!(menu.text.contains("Budi · was refused /balance"), "{}", menu.text);
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_audit WHERE staff_id = $1 AND action = 'refused'")
        .bind(budi.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(audit, 7, "every refusal is in the audit log");
}

#[tokio::test]
async fn a_removed_cashier_is_refused_at_once_and_invites_cannot_be_forged() {
    let app = TestApp::spawn().await;
    let ani = TestUser::new(9811, "Ani", Some("en"));
    let budi = TestUser::new(9812, "Budi", Some("en"));
    app.link(&ani, "kasir", demo_qris()).await;
    let start = invite(&app, &ani, "kasir").await;

    // Altered or made up: nothing. The owner's own: said so.
    let mut altered = start.clone();
    let last = if altered.ends_with('A') { "Q" } else { "A" };
    altered.replace_range(start.len() - 1.., last);
    for link in [altered.as_str(), "staff_AAAAAAAAAAAAAAAAAAAAAA", "staff_x"] {
        app.tg.send_text(&budi, &format!("/start {link}"));
        assert!(app.tg.message(budi.id).await.text.contains("not valid"), "{link}");
    }
    app.tg.send_text(&ani, &format!("/start {start}"));
    assert!(app.tg.message(ani.id).await.text.contains("your own staff invite"));

    join(&app, &ani, &budi, &start).await;
    app.tg.send_text(&budi, "/deposit 10000");
    let card = app.tg.message(budi.id).await;

    app.tg.send_text(&ani, "/staff");
    let menu = app.tg.message(ani.id).await;
    app.tg.press(&ani, &menu, &menu.button("Remove Budi"));
    assert!(app.tg.message(budi.id).await.text.contains("removed you from their staff"));
    let after = app.tg.edit(ani.id).await;
    assert!(after.text.contains("No staff yet"), "{}", after.text);

    // At once: no invoice, and the old card's buttons do nothing.
    app.tg.send_text(&budi, "/deposit 10000");
    assert!(app.tg.message(budi.id).await.text.contains("You are no longer staff"));
    app.tg.send_text(&budi, "/invoices");
    assert!(app.tg.message(budi.id).await.text.contains("You are no longer staff"));
    app.tg.press(&budi, &card, &card.button("Cancel invoice"));
    assert!(app.tg.message(budi.id).await.text.contains("no longer valid"));
    let status: String = sqlx::query_scalar("SELECT status FROM invoices").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "pending", "a removed cashier cancels nothing");
}
