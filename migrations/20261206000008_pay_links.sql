-- Selling from any chat: what customers see of an account, pay links, and every copy of
-- an invoice's card the bot posted, so that each changes in place when the invoice ends.

-- The name customers see on an invoice card (never the label, which is the merchant's
-- own word for the account). NULL: the merchant name in the QRIS payload is shown.
ALTER TABLE linked_accounts ADD COLUMN display_name TEXT
    CHECK (display_name IS NULL OR (char_length(display_name) BETWEEN 1 AND 64 AND display_name !~ '[[:cntrl:]]'));

-- The pay link's token: 128 random bits, base64url, made when the merchant first shares
-- the invoice. Kept as it is (not hashed) so the merchant can be shown the same link
-- again; it opens only this invoice's card, and nothing once the invoice has ended.
ALTER TABLE invoices ADD COLUMN pay_token TEXT UNIQUE CHECK (pay_token ~ '^[A-Za-z0-9_-]{22}$');
-- What customers see as the seller, fixed when the invoice was made.
ALTER TABLE invoices ADD COLUMN display_name TEXT;
-- When the gateway was last asked for the status on a customer's press: customers'
-- presses ask the gateway at most once every few seconds per invoice.
ALTER TABLE invoices ADD COLUMN checked_at TIMESTAMPTZ;
-- Made from inline mode (`@bot 25000` in any chat): every image of it, the merchant's
-- copy too, is the customer's view, so that one upload serves the inline message.
ALTER TABLE invoices ADD COLUMN via_inline BOOLEAN NOT NULL DEFAULT FALSE;
-- The stamped image once uploaded (Telegram's file_id): an inline message cannot take a
-- new upload, only a file Telegram already has.
ALTER TABLE invoices ADD COLUMN ended_file_id TEXT;

-- Each invoice card the bot posted. When the invoice is paid, expired or cancelled, the
-- card refresher (any replica; lease as elsewhere) edits every card whose shown_status
-- differs from the invoice's status, then records what it shows.
CREATE TABLE invoice_cards (
    id              BIGSERIAL PRIMARY KEY,
    invoice_id      BIGINT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    -- The merchant's own card, or a customer's (opened from a pay link, or posted inline).
    audience        TEXT NOT NULL CHECK (audience IN ('merchant', 'customer')),
    -- A message in a chat, or an inline message (which has only its own id).
    chat_id         BIGINT,
    message_id      INT,
    inline_message_id TEXT UNIQUE,
    -- The language the card is written in.
    lang            TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    -- A photo with a caption (the QR card), or a text message.
    is_photo        BOOLEAN NOT NULL,
    shown_status    TEXT NOT NULL DEFAULT 'pending'
                        CHECK (shown_status IN ('pending', 'paid', 'expired', 'cancelled')),
    lease_until     TIMESTAMPTZ,
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invoice_cards_message_key UNIQUE (chat_id, message_id),
    CONSTRAINT invoice_cards_one_place CHECK ((chat_id IS NOT NULL AND message_id IS NOT NULL) <> (inline_message_id IS NOT NULL))
);
CREATE INDEX invoice_cards_invoice ON invoice_cards (invoice_id);
-- The refresher looks only at cards not yet brought up to date.
CREATE INDEX invoice_cards_open ON invoice_cards (invoice_id) WHERE shown_status = 'pending';

-- The merchant's cards made before this migration, so they too mark themselves.
INSERT INTO invoice_cards (invoice_id, audience, chat_id, message_id, lang, is_photo, shown_status)
SELECT i.id, 'merchant', i.chat_id, i.message_id, COALESCE(u.language, 'id'), i.payload IS NOT NULL, i.status
FROM invoices i JOIN users u ON u.telegram_id = i.owner_id
WHERE i.chat_id IS NOT NULL AND i.message_id IS NOT NULL
ON CONFLICT DO NOTHING;
