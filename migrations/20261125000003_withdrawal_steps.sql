-- A withdrawal with a PIN or a Bukalapak password to ask after Confirm passes through
-- 'confirmed': Confirm is taken once (draft -> confirmed), and only the step that
-- submits moves it to 'submitting', right before the one request to the gateway. So a
-- crash while the bot waits for the password leaves a 'confirmed' row (never sent),
-- and only a crash during the request leaves 'submitting' (then 'unknown').
ALTER TABLE withdrawals DROP CONSTRAINT withdrawals_status_check;
ALTER TABLE withdrawals ADD CONSTRAINT withdrawals_status_check CHECK (status IN ('draft', 'confirmed', 'submitting',
    'submitted', 'refused', 'cancelled', 'expired', 'unknown', 'success', 'rejected'));

-- The account's label at the time, for history after an unlink.
ALTER TABLE withdrawals ADD COLUMN account_label TEXT NOT NULL DEFAULT '';

CREATE INDEX withdrawals_owner_newest ON withdrawals (owner_id, created_at DESC);
CREATE INDEX withdrawals_unresolved ON withdrawals (status) WHERE status IN ('submitting', 'unknown');
