-- The card refresher found the cards to redraw by joining every card not yet brought up
-- to date with its invoice: every open invoice's card, on every round (5 a second), so
-- its cost grew with the number of open invoices (10 ms at 10,000). Now a card carries
-- whether its invoice has ended, set by the database itself, and the cards due are one
-- small partial index.
ALTER TABLE invoice_cards ADD COLUMN invoice_ended BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE invoice_cards c SET invoice_ended = TRUE FROM invoices i WHERE i.id = c.invoice_id AND i.status <> 'pending';
CREATE INDEX invoice_cards_due ON invoice_cards (next_attempt_at) WHERE shown_status = 'pending' AND invoice_ended;

-- When an invoice ends (by any path), its cards are marked. The update runs after the
-- invoice's row is changed, so a card inserted concurrently is either already committed
-- (and marked here) or reads the ended invoice itself (below).
CREATE FUNCTION invoice_cards_mark_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_cards SET invoice_ended = TRUE WHERE invoice_id = NEW.id AND NOT invoice_ended;
    RETURN NULL;
END $$;
CREATE TRIGGER invoices_mark_cards_ended AFTER UPDATE OF status ON invoices FOR EACH ROW
    WHEN (OLD.status = 'pending' AND NEW.status <> 'pending') EXECUTE FUNCTION invoice_cards_mark_ended();

-- A new card starts with its invoice's state. The invoice's row is locked (shared) until
-- the card is committed: an invoice ending meanwhile waits for it, then marks it above;
-- one that ended first is read here as ended.
CREATE FUNCTION invoice_cards_start_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.invoice_ended := COALESCE((SELECT status <> 'pending' FROM invoices WHERE id = NEW.invoice_id FOR SHARE), FALSE);
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_cards_start_ended BEFORE INSERT ON invoice_cards FOR EACH ROW
    EXECUTE FUNCTION invoice_cards_start_ended();
