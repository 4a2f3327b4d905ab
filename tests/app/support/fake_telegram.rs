#![allow(dead_code)] // Helpers here serve every test module; not each uses all of them.

//! A fake Telegram Bot API server on `127.0.0.1:0`. The bot under test talks to it as to
//! Telegram; a test drives it as a user would (send a text, press a button) and reads
//! what the bot sent.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::{FromRequest, Multipart, Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::telegram_rules as rules;

pub const BOT_TOKEN: &str = "4242:TEST-token";
pub const BOT_ID: i64 = 4242;
pub const BOT_USERNAME: &str = "merchant_test_bot";
/// How long the fake holds a `getUpdates` that has nothing to return: short, so that
/// a bot under test shuts down quickly.
const LONG_POLL_HOLD: Duration = Duration::from_millis(300);
/// How long a test waits for the bot to do something before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// One request the bot made.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub params: Value,
    /// Uploaded files by field name (multipart requests).
    pub files: HashMap<String, Vec<u8>>,
}

impl Call {
    pub fn chat_id(&self) -> Option<i64> {
        self.params.get("chat_id").and_then(as_i64)
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// A message the bot sent or edited, as the user sees it.
#[derive(Clone, Debug)]
pub struct Sent {
    pub method: String,
    pub chat_id: i64,
    pub message_id: i64,
    /// The text, or the caption of a photo.
    pub text: String,
    /// Inline buttons as (label, callback data), row by row.
    pub buttons: Vec<Vec<(String, String)>>,
    pub call: Call,
}

impl Sent {
    /// The callback data of the button whose label contains `label`.
    pub fn button(&self, label: &str) -> String {
        self.buttons
            .iter()
            .flatten()
            .find(|(text, _)| text.contains(label))
            .map(|(_, data)| data.clone())
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons))
    }
}

/// A Telegram user the test plays.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: i64,
    pub first_name: String,
    pub language_code: Option<String>,
}

impl TestUser {
    pub fn new(id: i64, first_name: &str, language_code: Option<&str>) -> TestUser {
        TestUser { id, first_name: first_name.into(), language_code: language_code.map(Into::into) }
    }

    /// The user as the bot's records name them.
    pub fn uid(&self) -> merchant_bot::domain::TelegramUserId {
        merchant_bot::domain::TelegramUserId::new(self.id)
    }

    fn json(&self) -> Value {
        let mut u = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(code) = &self.language_code {
            u["language_code"] = json!(code);
        }
        u
    }
}

/// A group chat (negative id).
pub const GROUP_ID: i64 = -100_777;

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    /// Telegram forgets updates below the highest offset a `getUpdates` has sent.
    confirmed: i64,
    calls: Vec<(Call, bool)>,
    next_update_id: i64,
    next_message_id: i64,
    /// Messages that exist in each chat: (chat, message id) → message JSON.
    messages: HashMap<(i64, i64), Value>,
    /// Forced answers for the next calls of a method: (status, body).
    failures: HashMap<String, VecDeque<(u16, Value)>>,
    files: HashMap<String, Vec<u8>>,
    /// 400s the fake answered because the bot broke one of Telegram's rules (not the
    /// failures a test injected): (method, Telegram's description).
    rejected: Vec<(String, String)>,
    /// Rejections a test said it expects (parts of the description), each used once.
    expected: Vec<String>,
    /// Inline queries not answered yet (Telegram takes one answer per query).
    inline_queries: std::collections::HashSet<String>,
    /// Messages posted through inline mode, by inline message id.
    inline_messages: HashMap<String, Value>,
    /// The file ids of photos Telegram has (sent or edited in by the bot).
    photo_files: std::collections::HashSet<String>,
}

struct Shared {
    inner: Mutex<Inner>,
    changed: Notify,
    /// getUpdates calls, counted apart: they are not worth listing.
    polls: std::sync::atomic::AtomicUsize,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner { next_update_id: 1, next_message_id: 1, ..Inner::default() }),
            changed: Notify::new(),
            polls: Default::default(),
        });
        let app = Router::new()
            .route("/{token}/{method}", post(api).get(api))
            .route("/file/{token}/{*path}", get(download))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Bot API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("fake Bot API serves") });
        FakeTelegram { url, shared }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let r = f(&mut self.shared.inner.lock().unwrap());
        self.shared.changed.notify_waiters();
        r
    }

    fn push_update(&self, build: impl FnOnce(&mut Inner, i64) -> Value) {
        self.with(|inner| {
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            let mut update = build(inner, id);
            update["update_id"] = json!(id);
            inner.updates.push(update);
        });
    }

    /// The user writes `text` to the bot in their private chat.
    pub fn send_text(&self, user: &TestUser, text: &str) {
        self.send_text_in(user.id, user, text)
    }

    /// Like [`FakeTelegram::send_text`], returning the id of the user's message.
    pub fn send_text_returning_id(&self, user: &TestUser, text: &str) -> i64 {
        let id = self.shared.inner.lock().unwrap().next_message_id;
        self.send_text(user, text);
        id
    }

    /// The user writes `text` in `chat` (their private chat, or [`GROUP_ID`]).
    pub fn send_text_in(&self, chat_id: i64, user: &TestUser, text: &str) {
        let user = user.clone();
        let text = text.to_owned();
        self.push_update(move |inner, _| {
            let message_id = inner.next_message_id;
            inner.next_message_id += 1;
            let mut message = json!({
                "message_id": message_id,
                "date": now(),
                "chat": chat_json(chat_id, &user),
                "from": user.json(),
                "text": text,
            });
            if text.starts_with('/') {
                let len = text.split_whitespace().next().unwrap_or("").encode_utf16().count();
                message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
            }
            inner.messages.insert((chat_id, message_id), message.clone());
            json!({"message": message})
        });
    }

    /// The user sends a photo (JPEG or PNG bytes) in their private chat; the bot can
    /// fetch it with getFile and the file URL, as from Telegram.
    pub fn send_photo(&self, user: &TestUser, bytes: Vec<u8>) {
        self.send_photo_with_caption(user, bytes, None)
    }

    /// Like [`FakeTelegram::send_photo`], with a caption; returns the message's id.
    pub fn send_photo_with_caption(&self, user: &TestUser, bytes: Vec<u8>, caption: Option<&str>) {
        let user = user.clone();
        let caption = caption.map(str::to_owned);
        self.push_update(move |inner, _| {
            let message_id = inner.next_message_id;
            inner.next_message_id += 1;
            let file_id = format!("userphoto{message_id}");
            let size = bytes.len();
            inner.files.insert(file_id.clone(), bytes);
            let mut message = json!({
                "message_id": message_id,
                "date": now(),
                "chat": chat_json(user.id, &user),
                "from": user.json(),
                "photo": [
                    {"file_id": format!("{file_id}-thumb"), "file_unique_id": "t", "width": 90, "height": 90, "file_size": 1000},
                    {"file_id": file_id, "file_unique_id": "u", "width": 800, "height": 800, "file_size": size},
                ],
            });
            if let Some(caption) = &caption {
                message["caption"] = json!(caption);
            }
            inner.messages.insert((user.id, message_id), message.clone());
            json!({"message": message})
        });
    }

    /// The user presses the button with `data` under the bot's message `on`.
    pub fn press(&self, user: &TestUser, on: &Sent, data: &str) {
        let user = user.clone();
        let (chat_id, message_id, data) = (on.chat_id, on.message_id, data.to_owned());
        self.push_update(move |inner, id| {
            let message = inner.messages.get(&(chat_id, message_id)).cloned().unwrap_or_else(|| {
                json!({
                    "message_id": message_id, "date": now(), "chat": chat_json(chat_id, &user), "text": ""
                })
            });
            json!({"callback_query": {
                "id": format!("cq{id}"),
                "from": user.json(),
                "message": message,
                "chat_instance": format!("ci{chat_id}"),
                "data": data,
            }})
        });
    }

    /// The user types `@bot <query>` in some chat; returns the query's id.
    pub fn inline_query(&self, user: &TestUser, query: &str) -> String {
        let user = user.clone();
        let query = query.to_owned();
        let mut qid = String::new();
        self.push_update(|inner, id| {
            qid = format!("iq{id}");
            inner.inline_queries.insert(qid.clone());
            json!({"inline_query": {"id": qid, "from": user.json(), "query": query, "offset": "", "chat_type": "group"}})
        });
        qid
    }

    /// The user picks result `index` of the bot's `answer` (an answerInlineQuery call):
    /// the message is posted in `chat_id` "via" the bot, and, as with inline feedback on,
    /// the bot hears of the choice. Returns the inline message's id (Telegram gives one
    /// only to a message with a keyboard).
    pub fn choose_inline(&self, user: &TestUser, answer: &Call, index: usize, chat_id: i64) -> Option<String> {
        let result = answer.params["results"][index].clone();
        let user = user.clone();
        let mut inline_id = None;
        self.push_update(|inner, id| {
            let text = result["input_message_content"]["message_text"].clone();
            let mut chosen = json!({"result_id": result["id"], "from": user.json(), "query": ""});
            if let Some(markup) = result.get("reply_markup") {
                let im = format!("im{id}");
                inner.inline_messages.insert(
                    im.clone(),
                    json!({"chat_id": chat_id, "text": text, "reply_markup": markup, "via_bot": bot_user()}),
                );
                chosen["inline_message_id"] = json!(im);
                inline_id = Some(im);
            }
            json!({"chosen_inline_result": chosen})
        });
        inline_id
    }

    /// What an inline message shows now.
    pub fn inline_message(&self, inline_message_id: &str) -> Value {
        self.shared.inner.lock().unwrap().inline_messages[inline_message_id].clone()
    }

    /// The user presses the button with `data` under an inline message.
    pub fn press_inline(&self, user: &TestUser, inline_message_id: &str, data: &str) {
        let (user, im, data) = (user.clone(), inline_message_id.to_owned(), data.to_owned());
        self.push_update(move |_, id| {
            json!({"callback_query": {
                "id": format!("cq{id}"),
                "from": user.json(),
                "inline_message_id": im,
                "chat_instance": "ci-inline",
                "data": data,
            }})
        });
    }

    /// Waits for the bot's next edit of the inline message.
    pub async fn inline_edit(&self, inline_message_id: &str) -> Sent {
        let call = self
            .take(&format!("an edit of inline message {inline_message_id}"), |c| {
                c.method.starts_with("editMessage") && c.params["inline_message_id"] == inline_message_id
            })
            .await;
        self.sent(call)
    }

    /// The next answer to `method` is this error (`retry_after` for 429).
    pub fn fail_next(&self, method: &str, status: u16, description: &str, retry_after: Option<u64>) {
        let mut body = json!({"ok": false, "error_code": status, "description": description});
        if let Some(secs) = retry_after {
            body["parameters"] = json!({"retry_after": secs});
        }
        self.with(|inner| inner.failures.entry(method.to_owned()).or_default().push_back((status, body)));
    }

    /// Waits until every failure injected for `method` has been answered.
    pub async fn failures_served(&self, method: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        while self.with(|inner| inner.failures.get(method).is_some_and(|f| !f.is_empty())) {
            assert!(std::time::Instant::now() < deadline, "the bot never called {method}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The test expects Telegram to refuse one request with a description containing
    /// `part`; without this, any refusal fails the test.
    pub fn expect_rejection(&self, part: &str) {
        self.with(|inner| inner.expected.push(part.to_owned()));
    }

    /// Refusals nobody expected, as "method: description" lines.
    pub fn unexpected_rejections(&self) -> Vec<String> {
        self.shared.inner.lock().unwrap().rejected.iter().map(|(m, d)| format!("{m}: {d}")).collect()
    }

    /// Panics if the bot sent anything Telegram would have refused.
    pub fn assert_no_rejections(&self) {
        let rejected = self.unexpected_rejections();
        assert!(rejected.is_empty(), "Telegram would refuse what the bot sent:\n{}", rejected.join("\n"));
    }

    /// How many times the bot asked for updates (long polling).
    pub fn polls(&self) -> usize {
        self.shared.polls.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every call the bot made so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.inner.lock().unwrap().calls.iter().map(|(c, _)| c.clone()).collect()
    }

    /// Waits for the first call not yet taken that matches, and takes it.
    pub async fn take(&self, what: &str, matches: impl Fn(&Call) -> bool) -> Call {
        let deadline = Instant::now() + WAIT;
        loop {
            let notified = self.shared.changed.notified();
            let found = {
                let mut inner = self.shared.inner.lock().unwrap();
                inner.calls.iter_mut().find(|(c, taken)| !*taken && matches(c)).map(|(c, taken)| {
                    *taken = true;
                    c.clone()
                })
            };
            if let Some(call) = found {
                return call;
            }
            self.assert_no_rejections();
            if tokio::time::timeout_at(deadline.into(), notified).await.is_err() {
                let seen: Vec<String> = self.calls().iter().map(|c| format!("{} {}", c.method, c.params)).collect();
                panic!("timed out waiting for {what}; the bot made these calls:\n{}", seen.join("\n"));
            }
        }
    }

    /// Waits for the bot's next new message (text or photo) in `chat_id`.
    pub async fn message(&self, chat_id: i64) -> Sent {
        let call = self
            .take(&format!("a message to chat {chat_id}"), |c| {
                matches!(c.method.as_str(), "sendMessage" | "sendPhoto" | "sendDocument")
                    && c.chat_id() == Some(chat_id)
            })
            .await;
        self.sent(call)
    }

    /// Waits for the bot's next edit of a message in `chat_id`.
    pub async fn edit(&self, chat_id: i64) -> Sent {
        let call = self
            .take(&format!("an edit in chat {chat_id}"), |c| {
                c.method.starts_with("editMessage") && c.chat_id() == Some(chat_id)
            })
            .await;
        self.sent(call)
    }

    /// Waits for a call of `method`.
    pub async fn call(&self, method: &str) -> Call {
        self.take(method, |c| c.method == method).await
    }

    /// Asserts that within `quiet` the bot sends or edits no message in `chat_id`.
    pub async fn assert_silent(&self, chat_id: i64, quiet: Duration) {
        tokio::time::sleep(quiet).await;
        let inner = self.shared.inner.lock().unwrap();
        let spoken: Vec<&Call> = inner
            .calls
            .iter()
            .filter(|(c, taken)| {
                !*taken
                    && c.chat_id() == Some(chat_id)
                    && (c.method.starts_with("send") || c.method.starts_with("edit"))
                    && c.method != "sendChatAction"
            })
            .map(|(c, _)| c)
            .collect();
        assert!(spoken.is_empty(), "expected silence in chat {chat_id}, got {spoken:?}");
    }

    fn sent(&self, call: Call) -> Sent {
        let chat_id = call.chat_id().unwrap_or_default();
        let message_id = call
            .params
            .get("message_id")
            .and_then(as_i64)
            .or_else(|| call.params.get("_sent_message_id").and_then(as_i64))
            .unwrap_or_default();
        let text = call
            .params
            .get("text")
            .or_else(|| call.params.get("caption"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Sent { method: call.method.clone(), chat_id, message_id, text, buttons: buttons(&call.params), call }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn chat_json(chat_id: i64, user: &TestUser) -> Value {
    if chat_id < 0 {
        json!({"id": chat_id, "type": "group", "title": "Toko group"})
    } else {
        json!({"id": chat_id, "type": "private", "first_name": user.first_name})
    }
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Merchant Bot", "username": BOT_USERNAME})
}

fn buttons(params: &Value) -> Vec<Vec<(String, String)>> {
    let markup = match params.get("reply_markup") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    markup
        .get("inline_keyboard")
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .into_iter()
                        .flatten()
                        .map(|b| {
                            let text = b["text"].as_str().unwrap_or_default().to_owned();
                            let data = b["callback_data"].as_str().unwrap_or_default().to_owned();
                            (text, data)
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn error(status: u16, description: &str) -> Response {
    let body = json!({"ok": false, "error_code": status, "description": description});
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

async fn read_params(request: Request) -> (Value, HashMap<String, Vec<u8>>) {
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut files = HashMap::new();
    if content_type.starts_with("multipart/form-data") {
        let mut params = serde_json::Map::new();
        let mut form = Multipart::from_request(request, &()).await.expect("multipart body");
        while let Some(field) = form.next_field().await.expect("multipart field") {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() {
                files.insert(name.clone(), field.bytes().await.expect("file bytes").to_vec());
                params.insert(name, json!("(upload)"));
            } else {
                let text = field.text().await.expect("text field");
                params.insert(name, serde_json::from_str(&text).unwrap_or(Value::String(text)));
            }
        }
        // teloxide names the file part at random and points to it: `"photo": "attach://x"`,
        // or inside an InputMedia object: `"media": {"type": "photo", "media": "attach://x"}`.
        for (name, value) in params.iter_mut() {
            let target = match value.get("media") {
                Some(inner) if value.is_object() => inner.as_str(),
                _ => value.as_str(),
            };
            if let Some(part) = target.and_then(|v| v.strip_prefix("attach://")).map(str::to_owned)
                && let Some(bytes) = files.remove(&part)
            {
                files.insert(name.clone(), bytes);
                match value.get_mut("media") {
                    Some(inner) if inner.is_string() => *inner = json!("(upload)"),
                    _ => *value = json!("(upload)"),
                }
            }
        }
        return (Value::Object(params), files);
    }
    let body = Bytes::from_request(request, &()).await.unwrap_or_default();
    let params = if body.is_empty() { json!({}) } else { serde_json::from_slice(&body).unwrap_or_else(|_| json!({})) };
    (params, files)
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    if token != format!("bot{BOT_TOKEN}") {
        return error(401, "Unauthorized");
    }
    // Telegram's method names are case-insensitive (teloxide sends `GetMe`); the fake
    // records them as Telegram documents them (`getMe`).
    let mut chars = method.chars();
    let method: String = chars.next().map(|c| c.to_ascii_lowercase()).into_iter().chain(chars).collect();
    let (params, files) = read_params(request).await;
    if method == "getUpdates" {
        shared.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        return get_updates(&shared, &params).await;
    }
    let fake = FakeTelegram { url: String::new(), shared: shared.clone() };
    let mut call = Call { method: method.clone(), params, files };
    let response = fake.with(|inner| {
        if let Some((status, body)) = inner.failures.get_mut(&method).and_then(VecDeque::pop_front) {
            let response = (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
            return (response, false);
        }
        let response = match answer(inner, &mut call) {
            Ok(result) => ok(result),
            Err((status, description)) => {
                let expected = inner.expected.iter().position(|part| description.contains(part.as_str()));
                match expected {
                    Some(at) => drop(inner.expected.remove(at)),
                    None => inner.rejected.push((method.clone(), description.clone())),
                }
                error(status, &description)
            }
        };
        (response, true)
    });
    let (response, record) = response;
    if record {
        fake.with(|inner| inner.calls.push((call, false)));
    }
    response
}

async fn get_updates(shared: &Arc<Shared>, params: &Value) -> Response {
    let offset = params.get("offset").and_then(as_i64).unwrap_or(0);
    let deadline = Instant::now() + LONG_POLL_HOLD;
    loop {
        let notified = shared.changed.notified();
        let pending: Vec<Value> = {
            let mut inner = shared.inner.lock().unwrap();
            inner.confirmed = inner.confirmed.max(offset);
            let confirmed = inner.confirmed;
            inner.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= confirmed);
            inner.updates.clone()
        };
        if !pending.is_empty() || tokio::time::timeout_at(deadline.into(), notified).await.is_err() {
            return ok(Value::Array(pending));
        }
    }
}

type Refusal = (u16, String);

fn bad(description: impl Into<String>) -> Refusal {
    (400, description.into())
}

/// The rules of Telegram that apply to one call, before it does anything.
fn check_rules(call: &Call) -> Result<(), Refusal> {
    let p = &call.params;
    let parse_mode = p.get("parse_mode").and_then(Value::as_str);
    let text = |name: &str| p.get(name).and_then(Value::as_str).map(str::to_owned);
    if let Some(markup) = p.get("reply_markup") {
        rules::check_keyboard(markup).map_err(bad)?;
    }
    match call.method.as_str() {
        "sendMessage" => rules::check_text(&text("text").unwrap_or_default(), parse_mode, false).map_err(bad),
        "editMessageText" => rules::check_text(&text("text").unwrap_or_default(), parse_mode, true).map_err(bad),
        "sendPhoto" | "sendDocument" | "editMessageCaption" => {
            rules::check_caption(&text("caption").unwrap_or_default(), parse_mode).map_err(bad)?;
            match call.files.get("photo") {
                Some(bytes) if call.method == "sendPhoto" => rules::check_photo(bytes).map_err(bad),
                _ => Ok(()),
            }
        }
        "editMessageMedia" => {
            let media = p.get("media").cloned().unwrap_or(Value::Null);
            let media = match media {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
                v => v,
            };
            if media.get("type").and_then(Value::as_str) != Some("photo") {
                return Err(bad(
                    "Bad Request: can't parse InputMedia: Media type must be one of photo, video, animation, audio, document",
                ));
            }
            let caption = media.get("caption").and_then(Value::as_str).unwrap_or_default();
            rules::check_caption(caption, media.get("parse_mode").and_then(Value::as_str)).map_err(bad)?;
            match call.files.get("media") {
                Some(bytes) => rules::check_photo(bytes).map_err(bad),
                None => Ok(()),
            }
        }
        "answerInlineQuery" => check_inline_answer(p),
        "answerCallbackQuery" => rules::check_callback_answer(&text("text").unwrap_or_default()).map_err(bad),
        "setMyCommands" => rules::check_commands(p.get("commands").unwrap_or(&Value::Null)).map_err(bad),
        _ => Ok(()),
    }
}

/// Telegram's answer to one method call, updating the fake's idea of the chats.
fn answer(inner: &mut Inner, call: &mut Call) -> Result<Value, Refusal> {
    check_rules(call)?;
    let p = &call.params;
    let chat_id = p.get("chat_id").and_then(as_i64).unwrap_or_default();
    match call.method.as_str() {
        "getMe" => Ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Merchant Bot", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false
        })),
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            if let Some(reply_to) = p.get("reply_parameters").or_else(|| p.get("reply_to_message_id")) {
                let reply_to = match reply_to {
                    Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                    v => v.clone(),
                };
                let id = reply_to.get("message_id").and_then(as_i64).or_else(|| as_i64(&reply_to));
                let allowed = reply_to.get("allow_sending_without_reply").and_then(Value::as_bool).unwrap_or(false);
                if let Some(id) = id
                    && !allowed
                    && !inner.messages.contains_key(&(chat_id, id))
                {
                    return Err(bad("Bad Request: message to be replied not found"));
                }
            }
            let message_id = inner.next_message_id;
            inner.next_message_id += 1;
            let chat = if chat_id < 0 {
                json!({"id": chat_id, "type": "group", "title": "Toko group"})
            } else {
                json!({"id": chat_id, "type": "private", "first_name": "User"})
            };
            let mut message = json!({"message_id": message_id, "date": now(), "chat": chat, "from": bot_user()});
            match call.method.as_str() {
                "sendMessage" => message["text"] = p["text"].clone(),
                _ => {
                    message["caption"] = p.get("caption").cloned().unwrap_or(Value::Null);
                    message["photo"] = json!([{"file_id": format!("photo{message_id}"), "file_unique_id": format!("u{message_id}"), "width": 512, "height": 512}]);
                    inner.photo_files.insert(format!("photo{message_id}"));
                }
            }
            if let Some(markup) = p.get("reply_markup") {
                message["reply_markup"] = match markup {
                    Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                    v => v.clone(),
                };
            }
            inner.messages.insert((chat_id, message_id), message.clone());
            call.params["_sent_message_id"] = json!(message_id);
            Ok(message)
        }
        "answerInlineQuery" => {
            let id = p.get("inline_query_id").and_then(Value::as_str).unwrap_or_default();
            if !inner.inline_queries.remove(id) {
                return Err(bad("Bad Request: query is too old and response timeout expired or query ID is invalid"));
            }
            Ok(json!(true))
        }
        m if m.starts_with("editMessage") && p.get("inline_message_id").is_some() => edit_inline(inner, call),
        m if m.starts_with("editMessage") => {
            let message_id = p.get("message_id").and_then(as_i64).unwrap_or_default();
            let Some(message) = inner.messages.get_mut(&(chat_id, message_id)) else {
                return Err(bad("Bad Request: message to edit not found"));
            };
            if message["from"]["id"].as_i64() != Some(BOT_ID) {
                return Err(bad("Bad Request: message can't be edited"));
            }
            let has_media = message.get("photo").is_some();
            if m == "editMessageMedia" {
                if !has_media {
                    return Err(bad("Bad Request: there is no media in the message to edit"));
                }
                let (media, _) = media_of(inner, call)?;
                let file_id = format!("photo{message_id}-{}", inner.next_message_id);
                inner.next_message_id += 1;
                inner.photo_files.insert(file_id.clone());
                let message = inner.messages.get_mut(&(chat_id, message_id)).expect("checked above");
                message["photo"] =
                    json!([{"file_id": file_id, "file_unique_id": file_id, "width": 512, "height": 512}]);
                message["caption"] = media.get("caption").cloned().unwrap_or(Value::Null);
                match p.get("reply_markup") {
                    Some(markup) => {
                        message["reply_markup"] = match markup {
                            Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                            v => v.clone(),
                        }
                    }
                    None => drop(message.as_object_mut().unwrap().remove("reply_markup")),
                }
                call.params["caption"] = message["caption"].clone();
                return Ok(message.clone());
            }
            if m == "editMessageText" && has_media {
                return Err(bad("Bad Request: there is no text in the message to edit"));
            }
            if m == "editMessageCaption" && !has_media {
                return Err(bad("Bad Request: there is no caption in the message to edit"));
            }
            let mut changed = false;
            for (param, field) in [("text", "text"), ("caption", "caption"), ("reply_markup", "reply_markup")] {
                if let Some(v) = p.get(param) {
                    let v = match v {
                        Value::String(s) if param == "reply_markup" => serde_json::from_str(s).unwrap_or(Value::Null),
                        v => v.clone(),
                    };
                    changed |= message.get(field) != Some(&v);
                    message[field] = v;
                }
            }
            if m != "editMessageReplyMarkup" && p.get("reply_markup").is_none() && message.get("reply_markup").is_some()
            {
                // Telegram removes the keyboard when an edit does not repeat it.
                message.as_object_mut().unwrap().remove("reply_markup");
                changed = true;
            }
            if !changed {
                return Err(bad(
                    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
                ));
            }
            Ok(message.clone())
        }
        "deleteMessage" => {
            let message_id = p.get("message_id").and_then(as_i64).unwrap_or_default();
            match inner.messages.remove(&(chat_id, message_id)) {
                Some(_) => Ok(json!(true)),
                None => Err(bad("Bad Request: message to delete not found")),
            }
        }
        "getFile" => {
            let file_id = p.get("file_id").and_then(Value::as_str).unwrap_or_default().to_owned();
            match inner.files.get(&file_id) {
                Some(bytes) => Ok(
                    json!({"file_id": file_id, "file_unique_id": file_id, "file_size": bytes.len(), "file_path": format!("photos/{file_id}")}),
                ),
                None => Err(bad("Bad Request: invalid file_id")),
            }
        }
        "answerCallbackQuery"
        | "setMyCommands"
        | "deleteMyCommands"
        | "sendChatAction"
        | "setWebhook"
        | "deleteWebhook" => Ok(json!(true)),
        _ => Err((404, "Not Found: method not found".to_owned())),
    }
}

/// The media a call puts in a message: an upload, or a file id Telegram must know.
fn media_of(inner: &Inner, call: &Call) -> Result<(Value, bool), Refusal> {
    let media = match call.params.get("media") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let uploaded = call.files.contains_key("media");
    let known = media.get("media").and_then(Value::as_str).is_some_and(|id| inner.photo_files.contains(id));
    if !uploaded && !known {
        return Err(bad("Bad Request: wrong file identifier/HTTP URL specified"));
    }
    Ok((media, uploaded))
}

/// An edit of a message posted through inline mode: answered `true`, not the message.
fn edit_inline(inner: &mut Inner, call: &mut Call) -> Result<Value, Refusal> {
    let p = call.params.clone();
    let id = p["inline_message_id"].as_str().unwrap_or_default().to_owned();
    if !inner.inline_messages.contains_key(&id) {
        return Err(bad("Bad Request: MESSAGE_ID_INVALID"));
    }
    let media = if call.method == "editMessageMedia" {
        let (media, uploaded) = media_of(inner, call)?;
        if uploaded {
            // Bot API: "When an inline message is edited, a new file can't be uploaded;
            // use a previously uploaded file via its file_id or specify a URL." (The
            // wording of Telegram's refusal is the fake's own.)
            return Err(bad("Bad Request: a new file can't be uploaded to an inline message"));
        }
        Some(media)
    } else {
        None
    };
    let message = inner.inline_messages.get_mut(&id).expect("checked above");
    let has_media = message.get("photo").is_some();
    match call.method.as_str() {
        "editMessageText" if has_media => return Err(bad("Bad Request: there is no text in the message to edit")),
        "editMessageCaption" if !has_media => {
            return Err(bad("Bad Request: there is no caption in the message to edit"));
        }
        _ => {}
    }
    let before = message.clone();
    if let Some(media) = media {
        message.as_object_mut().unwrap().remove("text");
        message["photo"] = json!([{"file_id": media["media"], "width": 512, "height": 512}]);
        message["caption"] = media.get("caption").cloned().unwrap_or(Value::Null);
        call.params["caption"] = message["caption"].clone();
    }
    for param in ["text", "caption"] {
        if let Some(v) = p.get(param) {
            message[param] = v.clone();
        }
    }
    match p.get("reply_markup") {
        Some(Value::String(s)) => message["reply_markup"] = serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => message["reply_markup"] = v.clone(),
        None if call.method != "editMessageReplyMarkup" => {
            drop(message.as_object_mut().unwrap().remove("reply_markup"))
        }
        None => {}
    }
    if *message == before {
        return Err(bad(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ));
    }
    Ok(json!(true))
}

/// `answerInlineQuery`'s results and button, as Telegram checks them.
fn check_inline_answer(p: &Value) -> Result<(), Refusal> {
    let results = match p.get("results") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let results = results.as_array().ok_or_else(|| bad("Bad Request: field \"results\" must be an Array"))?;
    if results.len() > 50 {
        return Err(bad("Bad Request: RESULTS_TOO_MUCH"));
    }
    let mut ids = std::collections::HashSet::new();
    for result in results {
        let id = result.get("id").and_then(Value::as_str).unwrap_or_default();
        if id.is_empty() || id.len() > 64 {
            return Err(bad("Bad Request: RESULT_ID_INVALID"));
        }
        if !ids.insert(id.to_owned()) {
            return Err(bad("Bad Request: RESULT_ID_DUPLICATE"));
        }
        if result.get("type").and_then(Value::as_str) == Some("article") {
            if result.get("title").and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(bad("Bad Request: RESULT_TITLE_EMPTY"));
            }
            let content = &result["input_message_content"];
            let text = content.get("message_text").and_then(Value::as_str).unwrap_or_default();
            if text.trim().is_empty() {
                return Err(bad("Bad Request: MESSAGE_EMPTY"));
            }
            rules::check_text(text, content.get("parse_mode").and_then(Value::as_str), false).map_err(bad)?;
        }
        if let Some(markup) = result.get("reply_markup") {
            rules::check_keyboard(markup).map_err(bad)?;
        }
    }
    if let Some(button) = p.get("button") {
        let button = match button {
            Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
            v => v.clone(),
        };
        if button.get("text").and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
            return Err(bad("Bad Request: BUTTON_TEXT_INVALID"));
        }
        let start = button.get("start_parameter").and_then(Value::as_str).unwrap_or_default();
        let valid = (1..=64).contains(&start.len())
            && start.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(bad("Bad Request: START_PARAM_INVALID"));
        }
    }
    Ok(())
}

async fn download(State(shared): State<Arc<Shared>>, Path((token, path)): Path<(String, String)>) -> Response {
    if token != format!("bot{BOT_TOKEN}") {
        return error(401, "Unauthorized");
    }
    let file_id = path.trim_start_matches("photos/");
    match shared.inner.lock().unwrap().files.get(file_id) {
        Some(bytes) => bytes.clone().into_response(),
        None => error(404, "Not Found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn call(tg: &FakeTelegram, method: &str, params: Value) -> Value {
        let url = format!("{}/bot{BOT_TOKEN}/{method}", tg.url);
        reqwest::Client::new().post(url).json(&params).send().await.unwrap().json().await.unwrap()
    }

    fn description(answer: &Value) -> &str {
        assert_eq!(answer["ok"], false, "{answer}");
        answer["description"].as_str().unwrap()
    }

    #[tokio::test]
    async fn edits_of_missing_foreign_or_unchanged_messages_are_refused_as_telegram_words_it() {
        let tg = FakeTelegram::start().await;
        let user = TestUser::new(77, "Ann", None);
        let user_message = tg.send_text_returning_id(&user, "hello");
        let sent = call(&tg, "sendMessage", json!({"chat_id": 77, "text": "<b>hi</b>", "parse_mode": "HTML"})).await;
        let id = sent["result"]["message_id"].as_i64().unwrap();

        let missing = call(&tg, "editMessageText", json!({"chat_id": 77, "message_id": 9999, "text": "x"})).await;
        assert_eq!(description(&missing), "Bad Request: message to edit not found");
        let foreign =
            call(&tg, "editMessageText", json!({"chat_id": 77, "message_id": user_message, "text": "x"})).await;
        assert_eq!(description(&foreign), "Bad Request: message can't be edited");
        let same = call(
            &tg,
            "editMessageText",
            json!({"chat_id": 77, "message_id": id, "text": "<b>hi</b>", "parse_mode": "HTML"}),
        )
        .await;
        assert!(description(&same).starts_with("Bad Request: message is not modified"));
        let caption = call(&tg, "editMessageCaption", json!({"chat_id": 77, "message_id": id, "caption": "c"})).await;
        assert_eq!(description(&caption), "Bad Request: there is no caption in the message to edit");
        let changed = call(
            &tg,
            "editMessageText",
            json!({"chat_id": 77, "message_id": id, "text": "<i>new</i>", "parse_mode": "HTML"}),
        )
        .await;
        assert_eq!(changed["ok"], true, "{changed}");

        assert_eq!(tg.unexpected_rejections().len(), 4, "every refusal is kept for the test to fail on");
    }

    #[tokio::test]
    async fn a_refusal_the_test_expects_does_not_count_and_others_do() {
        let tg = FakeTelegram::start().await;
        tg.expect_rejection("Unsupported start tag \"id\"");
        let refused =
            call(&tg, "sendMessage", json!({"chat_id": 1, "text": "/invoice <id>", "parse_mode": "HTML"})).await;
        assert_eq!(
            description(&refused),
            "Bad Request: can't parse entities: Unsupported start tag \"id\" at byte offset 9"
        );
        assert!(tg.unexpected_rejections().is_empty());
        // The expectation is used up: the same refusal again counts.
        call(&tg, "sendMessage", json!({"chat_id": 1, "text": "/invoice <id>", "parse_mode": "HTML"})).await;
        assert_eq!(tg.unexpected_rejections().len(), 1);
        let result = std::panic::catch_unwind(|| tg.assert_no_rejections());
        assert!(result.is_err(), "a refusal nobody expected fails the test");
    }

    #[tokio::test]
    async fn keyboards_callback_answers_commands_and_photos_are_checked_on_the_wire() {
        let tg = FakeTelegram::start().await;
        let keyboard = json!({"inline_keyboard": [[{"text": "x", "callback_data": "d".repeat(65)}]]}).to_string();
        let answer = call(&tg, "sendMessage", json!({"chat_id": 1, "text": "t", "reply_markup": keyboard})).await;
        assert_eq!(description(&answer), "Bad Request: BUTTON_DATA_INVALID");
        let answer = call(&tg, "answerCallbackQuery", json!({"callback_query_id": "1", "text": "a".repeat(201)})).await;
        assert_eq!(description(&answer), "Bad Request: MESSAGE_TOO_LONG");
        let answer = call(&tg, "setMyCommands", json!({"commands": [{"command": "Start", "description": "d"}]})).await;
        assert_eq!(description(&answer), "Bad Request: BOT_COMMAND_INVALID");
        let answer = call(&tg, "sendMessage", json!({"chat_id": 1, "text": "a".repeat(4097)})).await;
        assert_eq!(description(&answer), "Bad Request: message is too long");
        let answer = call(&tg, "sendPhoto", json!({"chat_id": 1, "photo": "x", "caption": "c".repeat(1025)})).await;
        assert_eq!(description(&answer), "Bad Request: message caption is too long");
        assert_eq!(tg.unexpected_rejections().len(), 5);
    }

    #[tokio::test]
    async fn inline_answers_and_inline_edits_are_checked_as_telegram_checks_them() {
        let tg = FakeTelegram::start().await;
        let user = TestUser::new(5, "Ann", None);
        let article = |id: &str| {
            json!({"type": "article", "id": id, "title": "t",
                   "input_message_content": {"message_text": "hi"},
                   "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "d"}]]}})
        };
        let qid = tg.inline_query(&user, "1");
        let twice =
            call(&tg, "answerInlineQuery", json!({"inline_query_id": qid, "results": [article("a"), article("a")]}))
                .await;
        assert_eq!(description(&twice), "Bad Request: RESULT_ID_DUPLICATE");
        let button = json!({"text": "open", "start_parameter": "no spaces"});
        let bad_start =
            call(&tg, "answerInlineQuery", json!({"inline_query_id": qid, "results": [], "button": button})).await;
        assert_eq!(description(&bad_start), "Bad Request: START_PARAM_INVALID");
        let ok = call(&tg, "answerInlineQuery", json!({"inline_query_id": qid, "results": [article("a")]})).await;
        assert_eq!(ok["ok"], true, "{ok}");
        let again = call(&tg, "answerInlineQuery", json!({"inline_query_id": qid, "results": []})).await;
        assert!(description(&again).starts_with("Bad Request: query is too old"));

        let answer = tg.call("answerInlineQuery").await;
        let im = tg.choose_inline(&user, &answer, 0, GROUP_ID).unwrap();
        let unknown_file = json!({"inline_message_id": im, "media": {"type": "photo", "media": "nope"}});
        let refused = call(&tg, "editMessageMedia", unknown_file).await;
        assert_eq!(description(&refused), "Bad Request: wrong file identifier/HTTP URL specified");
        let missing = call(&tg, "editMessageText", json!({"inline_message_id": "im0", "text": "x"})).await;
        assert_eq!(description(&missing), "Bad Request: MESSAGE_ID_INVALID");
        let url = json!({"inline_keyboard": [[{"text": "x", "url": "javascript:alert(1)"}]]}).to_string();
        let bad_url = call(&tg, "sendMessage", json!({"chat_id": 1, "text": "t", "reply_markup": url})).await;
        assert_eq!(description(&bad_url), "Bad Request: BUTTON_URL_INVALID");
        assert_eq!(tg.unexpected_rejections().len(), 6);
    }
}
