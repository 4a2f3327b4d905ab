-- Staff: an owner lets a cashier make invoices on some of their QRIS accounts, without
-- handing over the account. A staff member can make invoices on those accounts and see
-- the invoices they made; nothing else of the owner's.

-- One-time invite links (`?start=staff_<token>`), 24 hours.
CREATE TABLE staff_invites (
    token       TEXT PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9_-]{22}$'),
    owner_id    BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    account_ids BIGINT[] NOT NULL CHECK (cardinality(account_ids) > 0),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_by     BIGINT,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who may invoice on which account. A removed member keeps the row with removed_at set,
-- so that they are told why they can no longer do anything (and the audit log names them).
CREATE TABLE staff (
    owner_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    staff_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES linked_accounts (id) ON DELETE CASCADE,
    -- The member's Telegram name when they joined, for the owner's list.
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed_at TIMESTAMPTZ,
    PRIMARY KEY (staff_id, account_id),
    CHECK (owner_id <> staff_id)
);
CREATE INDEX staff_owner ON staff (owner_id);

-- The staff member who made an invoice (NULL: the owner).
ALTER TABLE invoices ADD COLUMN made_by BIGINT REFERENCES users (telegram_id) ON DELETE SET NULL;
CREATE INDEX invoices_made_by_newest ON invoices (made_by, created_at DESC) WHERE made_by IS NOT NULL;

-- Everything staff do, and what the owner does about staff. Rows are only ever inserted.
CREATE TABLE staff_audit (
    id       BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL,
    staff_id BIGINT,
    action   TEXT NOT NULL CHECK (action IN ('invited', 'joined', 'invoice_created', 'invoice_cancelled',
                                             'invoice_shared', 'refused', 'removed')),
    detail   JSONB NOT NULL DEFAULT '{}',
    at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX staff_audit_owner ON staff_audit (owner_id, at DESC);
