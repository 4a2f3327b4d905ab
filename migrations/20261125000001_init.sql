-- The whole schema of merchant-bot. Rules that protect money and privacy are written
-- as constraints here, so that no code path can break them.

-- A Telegram user who has talked to the bot.
CREATE TABLE users (
    telegram_id      BIGINT PRIMARY KEY,
    -- The private chat with the user (equal to the user id on Telegram), where
    -- notifications go.
    chat_id          BIGINT NOT NULL,
    -- Telegram's language_code as last seen; decides the language until one is chosen.
    language_code    TEXT,
    -- Chosen with /language; NULL means "follow Telegram".
    language         TEXT CHECK (language IN ('id', 'en')),
    notify_invoices      BOOLEAN NOT NULL DEFAULT TRUE,
    notify_withdrawals   BOOLEAN NOT NULL DEFAULT TRUE,
    notify_mutations     BOOLEAN NOT NULL DEFAULT TRUE,
    notify_disbursements BOOLEAN NOT NULL DEFAULT TRUE,
    -- Set when Telegram answered 403: the user blocked the bot; nothing is sent then.
    blocked_at       TIMESTAMPTZ,
    -- Withdrawal PIN: only an Argon2id hash (PHC string) is ever stored.
    pin_hash         TEXT,
    -- Withdrawals above this many rupiah ask for the PIN.
    pin_threshold    BIGINT NOT NULL DEFAULT 0 CHECK (pin_threshold >= 0),
    pin_failures     INT NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
    pin_locked_until TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A gateway account linked by a user. The credentials are sealed with ChaCha20-Poly1305
-- under MASTER_KEY (key_id names which key), with owner, id and provider bound in as
-- associated data: a ciphertext copied to another row does not open.
CREATE TABLE linked_accounts (
    id          BIGSERIAL PRIMARY KEY,
    owner_id    BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    provider    TEXT NOT NULL CHECK (provider IN ('bukalapak', 'qris', 'snap')),
    label       TEXT NOT NULL CHECK (label ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    credentials BYTEA NOT NULL,
    nonce       BYTEA NOT NULL CHECK (octet_length(nonce) = 12),
    key_id      TEXT NOT NULL,
    -- Set when the gateway rejected the credentials; watches of the account pause.
    paused_at   TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- One label per owner.
    CONSTRAINT linked_accounts_owner_label_key UNIQUE (owner_id, label)
);
-- One default account per owner.
CREATE UNIQUE INDEX linked_accounts_one_default ON linked_accounts (owner_id) WHERE is_default;

-- Dialogue state per chat (teloxide's Storage, our implementation), so a dialogue
-- survives a restart and any replica can continue it. Expired rows read as absent.
CREATE TABLE dialogues (
    chat_id    BIGINT PRIMARY KEY,
    state      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);

-- Buttons that change money or accounts carry only a reference to one of these: bound
-- to the user it was made for, time-limited and single-use.
CREATE TABLE pending_actions (
    id         BIGSERIAL PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    action     JSONB NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pending_actions_expiry ON pending_actions (expires_at);

-- QRIS deposit invoices made through the bot. Money is in whole rupiah, never a float.
CREATE TABLE invoices (
    id                 BIGSERIAL PRIMARY KEY,
    owner_id           BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    -- Kept after an unlink so the merchant's history stays readable.
    account_id         BIGINT REFERENCES linked_accounts (id) ON DELETE SET NULL,
    account_label      TEXT NOT NULL,
    gateway_invoice_id TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    fee                BIGINT NOT NULL DEFAULT 0 CHECK (fee >= 0),
    total              BIGINT NOT NULL CHECK (total >= amount),
    status             TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'expired', 'cancelled')),
    -- The QRIS payload exactly as the gateway issued it.
    payload            TEXT,
    expires_at         TIMESTAMPTZ,
    chat_id            BIGINT,
    message_id         INT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invoices_gateway_id_key UNIQUE (account_id, gateway_invoice_id)
);
CREATE INDEX invoices_owner_newest ON invoices (owner_id, created_at DESC);

-- Withdrawals. A row is a draft first; Confirm moves it to 'submitting' in one
-- conditional update, so it is sent at most once. A row left 'submitting' by a crash
-- becomes 'unknown' and is resolved from the gateway's history, never resent.
CREATE TABLE withdrawals (
    id                  BIGSERIAL PRIMARY KEY,
    owner_id            BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    account_id          BIGINT REFERENCES linked_accounts (id) ON DELETE SET NULL,
    provider            TEXT NOT NULL CHECK (provider IN ('bukalapak', 'qris')),
    amount              BIGINT NOT NULL CHECK (amount > 0),
    -- DANA number and account name, or Bukalapak bank_account_id. Not secret.
    destination         JSONB NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitting', 'submitted', 'refused',
                            'cancelled', 'expired', 'unknown', 'success', 'rejected')),
    gateway_withdraw_id TEXT,
    fee                 BIGINT CHECK (fee >= 0),
    total               BIGINT CHECK (total >= 0),
    refusal             TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT withdrawals_gateway_id_key UNIQUE (account_id, gateway_withdraw_id)
);

-- Every step of every withdrawal attempt. Rows are only ever inserted.
CREATE TABLE withdrawal_audit (
    id                 BIGSERIAL PRIMARY KEY,
    withdrawal_id      BIGINT NOT NULL REFERENCES withdrawals (id),
    actor_id           BIGINT,
    event              TEXT NOT NULL CHECK (event IN ('created', 'confirmed', 'submitted', 'refused',
                           'cancelled', 'expired', 'unknown', 'resolved')),
    amount             BIGINT NOT NULL,
    destination_masked TEXT NOT NULL,
    detail             TEXT,
    at                 TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Things the notifier polls at the gateways. Unlinking an account deletes its watches.
CREATE TABLE watches (
    id            BIGSERIAL PRIMARY KEY,
    owner_id      BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    account_id    BIGINT NOT NULL REFERENCES linked_accounts (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('invoice', 'qris_withdrawal', 'bukalapak_withdrawal',
                      'mutations', 'disbursement')),
    gateway_id    TEXT NOT NULL,
    last_state    TEXT,
    next_check_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts      INT NOT NULL DEFAULT 0,
    -- A poller holds a watch until this time; a dead poller's lease simply runs out.
    lease_until   TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT watches_gateway_id_key UNIQUE (account_id, kind, gateway_id)
);
CREATE INDEX watches_due ON watches (next_check_at);

-- Notifications waiting to be sent, written in the same transaction as the state change
-- they report. One row per watch and state: a change is never queued twice.
CREATE TABLE notification_outbox (
    id                  BIGSERIAL PRIMARY KEY,
    owner_id            BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    chat_id             BIGINT NOT NULL,
    watch_id            BIGINT REFERENCES watches (id) ON DELETE SET NULL,
    state               TEXT NOT NULL,
    -- What happened, rendered in the user's language when it is sent.
    event               JSONB NOT NULL,
    reply_to_message_id INT,
    attempts            INT NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until         TIMESTAMPTZ,
    sent_at             TIMESTAMPTZ,
    failed_at           TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT notification_outbox_watch_state_key UNIQUE (watch_id, state)
);
CREATE INDEX notification_outbox_unsent ON notification_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- A merchant's own static QRIS, decoded from a photo, for /qris <amount>.
CREATE TABLE static_qris (
    owner_id      BIGINT PRIMARY KEY REFERENCES users (telegram_id) ON DELETE CASCADE,
    payload       TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
