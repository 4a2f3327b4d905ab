//! /start, /help, /language and group behaviour, through the fake Bot API.

use std::time::Duration;

use serde_json::Value;

use crate::support::{GROUP_ID, TestApp, TestUser, fake_telegram::BOT_USERNAME};

#[tokio::test]
async fn start_speaks_indonesian_to_an_indonesian_client() {
    let app = TestApp::spawn().await;
    let budi = TestUser::new(1001, "Budi", Some("id"));
    app.tg.send_text(&budi, "/start");
    let reply = app.tg.message(budi.id).await;
    assert!(app.tg.polls() > 0, "the bot takes updates by long polling");
    assert!(reply.text.starts_with("Halo, <b>Budi</b>!"), "{}", reply.text);
    assert!(reply.text.contains("/help"));
}

#[tokio::test]
async fn start_speaks_english_to_everyone_else() {
    let app = TestApp::spawn().await;
    for (id, code) in [(2001, Some("en-US")), (2002, Some("ru")), (2003, None)] {
        let user = TestUser::new(id, "Sam <&>", code);
        app.tg.send_text(&user, "/start");
        let reply = app.tg.message(id).await;
        assert!(reply.text.starts_with("Hello, <b>Sam &lt;&amp;&gt;</b>!"), "{code:?}: {}", reply.text);
        assert_eq!(reply.call.params["parse_mode"], "HTML");
    }
}

#[tokio::test]
async fn the_command_menu_is_registered_per_language() {
    let app = TestApp::spawn().await;
    let mut by_lang = std::collections::HashMap::new();
    for _ in 0..3 {
        let call = app.tg.call("setMyCommands").await;
        let lang = call.params.get("language_code").and_then(Value::as_str).unwrap_or("default").to_owned();
        by_lang.insert(lang, call.params["commands"].clone());
    }
    let description = |lang: &str, cmd: &str| -> String {
        by_lang[lang].as_array().unwrap().iter().find(|c| c["command"] == cmd).unwrap()["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(description("default", "language"), "Choose Bahasa Indonesia or English");
    assert_eq!(description("en", "language"), "Choose Bahasa Indonesia or English");
    assert_eq!(description("id", "language"), "Pilih Bahasa Indonesia atau English");
    assert_eq!(by_lang["id"].as_array().unwrap().len(), by_lang["en"].as_array().unwrap().len());
}

#[tokio::test]
async fn help_lists_every_command_in_the_users_language() {
    let app = TestApp::spawn().await;
    let siti = TestUser::new(1002, "Siti", Some("id"));
    app.tg.send_text(&siti, "/help");
    let reply = app.tg.message(siti.id).await;
    for line in
        ["/start — ", "/help — ", "/language — Pilih Bahasa Indonesia atau English", "/cancel — Keluar dari dialog"]
    {
        assert!(reply.text.contains(line), "{line} missing in {}", reply.text);
    }
}

#[tokio::test]
async fn language_choice_switches_and_survives_a_restart() {
    let mut app = TestApp::spawn().await;
    let ann = TestUser::new(3001, "Ann", Some("en"));
    app.tg.send_text(&ann, "/language");
    let menu = app.tg.message(ann.id).await;
    assert_eq!(menu.text, "Choose your language:");
    assert_eq!(menu.buttons.len(), 2);

    app.tg.press(&ann, &menu, &menu.button("Bahasa Indonesia"));
    let answered = app.tg.call("answerCallbackQuery").await;
    assert!(answered.params["callback_query_id"].as_str().unwrap().starts_with("cq"));
    let edited = app.tg.edit(ann.id).await;
    assert_eq!(edited.message_id, menu.message_id, "the menu message itself is edited");
    assert!(edited.text.starts_with("Bahasa diatur"), "{}", edited.text);
    // The user's own chat gets the menu in the chosen language.
    let scoped = app
        .tg
        .take("a chat-scoped setMyCommands", |c| c.method == "setMyCommands" && c.params.get("scope").is_some())
        .await;
    assert_eq!(scoped.params["scope"]["chat_id"], ann.id);
    assert!(scoped.params["commands"].to_string().contains("Pilih Bahasa"));

    app.restart().await;
    app.tg.send_text(&ann, "/start");
    let reply = app.tg.message(ann.id).await;
    assert!(reply.text.starts_with("Halo, <b>Ann</b>"), "{}", reply.text);
}

#[tokio::test]
async fn forged_or_stale_button_data_is_answered_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(3002, "Ann", Some("en"));
    app.tg.send_text(&ann, "/language");
    let menu = app.tg.message(ann.id).await;
    app.tg.press(&ann, &menu, "lang:xx");
    let answered = app.tg.call("answerCallbackQuery").await;
    assert_eq!(answered.params["text"], "This button is no longer valid.");
    app.tg.send_text(&ann, "/start");
    assert!(app.tg.message(ann.id).await.text.starts_with("Hello"), "language unchanged");
}

#[tokio::test]
async fn unknown_commands_and_text_in_private_get_a_pointer_to_help() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(3003, "Ann", Some("en"));
    app.tg.send_text(&ann, "/frobnicate");
    assert_eq!(app.tg.message(ann.id).await.text, "I don't know that command. Send /help to see what I can do.");
    app.tg.send_text(&ann, "hello?");
    assert_eq!(app.tg.message(ann.id).await.text, "Send /help to see what I can do.");
    app.tg.send_text(&ann, "/cancel");
    assert_eq!(app.tg.message(ann.id).await.text, "There is nothing to cancel.");
}

#[tokio::test]
async fn in_a_group_only_commands_for_this_bot_are_answered() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(3004, "Ann", Some("en"));
    app.tg.send_text_in(GROUP_ID, &ann, "good morning everyone");
    app.tg.send_text_in(GROUP_ID, &ann, "/start@some_other_bot");
    app.tg.send_text_in(GROUP_ID, &ann, "/frobnicate");
    app.tg.send_text_in(GROUP_ID, &ann, &format!("/help@{BOT_USERNAME}"));
    let reply = app.tg.message(GROUP_ID).await;
    assert!(reply.text.contains("/language"), "{}", reply.text);
    // One chat's updates are handled in order: by the answer to /help, the three before
    // it were handled, and said nothing.
    let said: Vec<_> = app
        .tg
        .calls()
        .into_iter()
        .filter(|c| c.chat_id() == Some(GROUP_ID) && c.method.starts_with("send") && c.method != "sendChatAction")
        .collect();
    assert_eq!(said.len(), 1, "only /help@bot is answered: {said:?}");
}

#[tokio::test]
async fn a_429_from_telegram_delays_the_reply_instead_of_losing_it() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(3005, "Ann", Some("en"));
    app.tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", Some(1));
    app.tg.send_text(&ann, "/start");
    app.tg.failures_served("sendMessage").await;
    // Held for the second Telegram asked for: not sent again at once...
    app.tg.assert_silent(ann.id, Duration::from_millis(100)).await;
    // ...and sent once it has passed (on the bot's clock: nobody waits for it).
    app.clock.as_ref().unwrap().advance(Duration::from_secs(1));
    let reply = app.tg.message(ann.id).await;
    assert!(reply.text.starts_with("Hello"));
}

#[tokio::test]
async fn start_says_to_link_first_and_its_buttons_do_what_the_commands_do() {
    let app = TestApp::spawn().await;
    for (user, link, deposit, balance, help) in [
        (TestUser::new(3101, "Budi", Some("id")), "Tautkan akun", "Deposit", "Saldo", "Semua perintah"),
        (TestUser::new(3102, "Sam", Some("en")), "Link an account", "Deposit", "Balance", "All commands"),
    ] {
        app.tg.send_text(&user, "/start");
        let welcome = app.tg.message(user.id).await;
        for command in ["/link", "/deposit", "/balance", "/help"] {
            assert!(welcome.text.contains(command), "/start names {command}: {}", welcome.text);
        }
        assert_eq!(welcome.buttons.iter().flatten().count(), 4, "{:?}", welcome.buttons);

        // Link: the gateway choice of /link.
        app.tg.press(&user, &welcome, &welcome.button(link));
        let choose = app.tg.message(user.id).await;
        assert!(choose.buttons.iter().flatten().any(|(t, _)| t.contains("QRIS")), "{:?}", choose.buttons);
        app.tg.send_text(&user, "/cancel");
        app.tg.message(user.id).await;

        // Balance with no account: what /balance says, to link one first.
        app.tg.press(&user, &welcome, &welcome.button(balance));
        let none = app.tg.message(user.id).await;
        app.tg.send_text(&user, "/balance");
        assert_eq!(none.text, app.tg.message(user.id).await.text);
        assert!(none.text.contains("/link"), "{}", none.text);

        // Deposit: what /deposit without an amount says.
        app.tg.press(&user, &welcome, &welcome.button(deposit));
        let pressed = app.tg.message(user.id).await;
        app.tg.send_text(&user, "/deposit");
        assert_eq!(pressed.text, app.tg.message(user.id).await.text);

        // Help: the same list as /help.
        app.tg.press(&user, &welcome, &welcome.button(help));
        let pressed = app.tg.message(user.id).await;
        app.tg.send_text(&user, "/help");
        assert_eq!(pressed.text, app.tg.message(user.id).await.text);
    }
}

#[tokio::test]
async fn help_reaches_the_user_in_both_languages_with_every_command_named() {
    let app = TestApp::spawn().await;
    for user in [TestUser::new(3201, "Budi", Some("id")), TestUser::new(3202, "Sam", Some("en"))] {
        app.tg.send_text(&user, "/help");
        let reply = app.tg.message(user.id).await;
        for name in merchant_bot::bot::commands::MENU {
            assert!(reply.text.contains(&format!("\n/{name} — ")), "/{name} missing in {}", reply.text);
        }
        // Written as the user types it, escaped for Telegram's HTML.
        assert!(reply.text.contains("/invoice &lt;id&gt;"), "{}", reply.text);
    }
}

#[tokio::test]
async fn a_reply_telegram_refuses_is_logged_with_its_key_and_the_user_is_told_honestly() {
    let app = TestApp::spawn().await;
    crate::support::logs::captured();
    let ann = TestUser::new(3301, "Ann", Some("en"));
    let refusal = "Bad Request: can't parse entities: Unsupported start tag \"id\" at byte offset 9";
    app.tg.fail_next("sendMessage", 400, refusal, None);
    app.tg.send_text(&ann, "/cancel");
    let reply = app.tg.message(ann.id).await;
    assert!(reply.text.contains("Telegram refused a message I built"), "{}", reply.text);
    assert!(!reply.text.contains("on our side"), "{}", reply.text);
    let logs = crate::support::logs::captured();
    let line = logs
        .lines()
        .find(|l| l.contains("Telegram refused a message the bot built"))
        .unwrap_or_else(|| panic!("no log line names the refusal:\n{logs}"));
    assert!(line.contains("Unsupported start tag") && line.contains("cancel-nothing"), "{line}");
}

#[tokio::test]
async fn a_panic_in_a_handler_is_caught_logged_with_the_update_and_answered() {
    let tg = crate::support::FakeTelegram::start().await;
    let db = crate::support::TestDb::new().await;
    let config = crate::support::settings(&tg, &db).config().unwrap();
    let bot = merchant_bot::telegram::build_bot(&config);
    let app = merchant_bot::bot::App::new(db.pool.clone(), config.clone());
    crate::support::logs::captured();
    // From text, as it arrives from Telegram (teloxide's Update does not read a `Value`).
    let update: teloxide::types::Update = serde_json::from_str(
        &serde_json::json!({
            "update_id": 770_001,
            "message": {
                "message_id": 1, "date": 0, "text": "/deposit 1",
                "chat": {"id": 3401, "type": "private", "first_name": "Ann"},
                "from": {"id": 3401, "is_bot": false, "first_name": "Ann", "language_code": "en"}
            }
        })
        .to_string(),
    )
    .unwrap();
    // Other work on the same thread while the apology is sent must not be logged as
    // part of this update (it was, when the update's span stayed entered over an await).
    let other = tokio::spawn(async {
        for _ in 0..50 {
            tracing::info!("other work in progress");
            tokio::task::yield_now().await;
        }
    });
    let result =
        merchant_bot::bot::commands::in_update(&bot, &app, &update, Box::pin(async { panic!("a decoder blew up") }))
            .await;
    assert!(result.is_ok(), "the panic does not reach the dispatcher");
    let apology = tg.message(3401).await;
    assert!(apology.text.contains("Something went wrong"), "{}", apology.text);
    other.await.unwrap();
    let logs = crate::support::logs::captured();
    let line = logs.lines().find(|l| l.contains("an update handler panicked")).expect("the panic is logged");
    assert!(line.contains("update{id=770001 user=3401}") && line.contains("a decoder blew up"), "{line}");
    assert_eq!(line.matches("update{").count(), 1, "{line}");
    let leaked: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("other work in progress") && l.contains("update{id=770001 user=3401}"))
        .collect();
    assert!(leaked.is_empty(), "another task's lines carry the update's span: {leaked:?}");
}

#[tokio::test]
async fn an_amount_that_overflowed_the_parser_is_refused_and_the_chat_goes_on() {
    let app = TestApp::spawn().await;
    let ann = TestUser::new(3402, "Ann", Some("en"));
    app.link(&ann, "kasir", crate::support::demo_qris()).await;
    app.tg.send_text(&ann, "/deposit 12345678901234567890,12345678901234567890");
    let reply = app.tg.message(ann.id).await;
    assert!(reply.text.contains("The most for one deposit is"), "{}", reply.text);
    app.tg.send_text(&ann, "/help");
    assert!(app.tg.message(ann.id).await.text.contains("/deposit"));
}

#[tokio::test]
async fn an_update_gives_back_its_place_among_those_handled_at_once() {
    let app = TestApp::spawn().await;
    let in_flight = app.in_flight.clone().unwrap();
    let ida = TestUser::new(3021, "Ida", Some("en"));
    for text in ["/start", "/help", "hello", "/balance"] {
        app.tg.send_text(&ida, text);
        app.tg.message(ida.id).await;
    }
    let start = std::time::Instant::now();
    while in_flight.available_permits() < merchant_bot::app::MAX_UPDATES_IN_FLIGHT {
        assert!(start.elapsed() < Duration::from_secs(5), "{} places still taken", in_flight.available_permits());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn an_update_whose_user_and_dialogue_cannot_be_read_is_answered_with_an_apology() {
    let app = TestApp::spawn().await;
    sqlx::query("ALTER TABLE dialogues RENAME TO dialogues_away").execute(&app.db.pool).await.unwrap();
    let budi = TestUser::new(3031, "Budi", Some("id"));
    app.tg.send_text(&budi, "/start");
    let sorry = app.tg.message(budi.id).await;
    assert!(sorry.text.starts_with("Terjadi kesalahan di sisi kami"), "in Telegram's language: {}", sorry.text);
    sqlx::query("ALTER TABLE dialogues_away RENAME TO dialogues").execute(&app.db.pool).await.unwrap();
    app.tg.send_text(&budi, "/start");
    assert!(app.tg.message(budi.id).await.text.starts_with("Halo"), "the next update is handled as usual");
}
