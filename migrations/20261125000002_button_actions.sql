-- Buttons that act on accounts (make default, unlink, replace) may be pressed once;
-- navigation buttons (paging, choosing an account) may be pressed until they expire.
ALTER TABLE pending_actions ADD COLUMN single_use BOOLEAN NOT NULL DEFAULT TRUE;
