-- The one request of a withdrawal is owned by the process that claimed it, for a lease.
-- requested_at: when the row was claimed for its request; the give-up clock of an
--   'unknown' withdrawal counts from here (not from the draft, which may be hours older).
-- lease_until: while in the future, the claiming process may still be sending or
--   recording the answer, and no other process touches the row; once past, the process
--   is taken for dead and any process moves the row to 'unknown' (never resends it).
--   Rows claimed before this migration have none: their lease is over.
ALTER TABLE withdrawals ADD COLUMN requested_at TIMESTAMPTZ;
ALTER TABLE withdrawals ADD COLUMN lease_until TIMESTAMPTZ;
