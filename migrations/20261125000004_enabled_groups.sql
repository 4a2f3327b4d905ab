-- A group where a user chose to see their own balances, lists and invoices (/group on).
-- Nothing else changes there: credentials, PINs and passwords are never asked in a group,
-- and every button stays bound to the user it was made for.
CREATE TABLE enabled_groups (
    chat_id    BIGINT NOT NULL,
    owner_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    enabled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, owner_id)
);
