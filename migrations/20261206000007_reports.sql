-- Reports and the daily summary.

-- When an invoice left 'pending' (paid, expired or cancelled), as the bot saw it: the
-- day a sale counts for. Earlier rows take the time of their last update.
ALTER TABLE invoices ADD COLUMN settled_at TIMESTAMPTZ;
UPDATE invoices SET settled_at = updated_at WHERE status <> 'pending';
CREATE INDEX invoices_owner_settled ON invoices (owner_id, settled_at) WHERE settled_at IS NOT NULL;
CREATE INDEX withdrawals_owner_requested ON withdrawals (owner_id, requested_at) WHERE requested_at IS NOT NULL;

-- The daily summary: the hour (WIB) it comes at, NULL when off; and whether it comes on
-- a day with nothing to report.
ALTER TABLE users ADD COLUMN daily_summary_hour SMALLINT CHECK (daily_summary_hour BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN daily_summary_quiet_days BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per user and day (WIB) whose summary was decided, written in the same
-- transaction as its outbox row: any number of replicas queue it once.
CREATE TABLE daily_summaries (
    owner_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    day        DATE NOT NULL,
    queued     BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, day)
);
