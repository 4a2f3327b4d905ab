-- A withdrawal whose outcome is in doubt ('submitting', 'unknown') is settled from its
-- gateway account's history, with that account's credentials. If the account is
-- unlinked or re-linked (new credentials, perhaps another gateway account) meanwhile,
-- its credentials are copied here first, sealed under MASTER_KEY and bound to this
-- withdrawal, and deleted as soon as the withdrawal is settled.
ALTER TABLE withdrawals ADD COLUMN settle_credentials BYTEA;
ALTER TABLE withdrawals ADD COLUMN settle_nonce BYTEA CHECK (octet_length(settle_nonce) = 12);
ALTER TABLE withdrawals ADD COLUMN settle_key_id TEXT;
