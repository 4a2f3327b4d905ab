# English texts of merchant-bot. Every key here exists in id.ftl too (a test checks it).
# Values are Telegram HTML: arguments are escaped by the bot before they are inserted.

lang-name = English

## Command descriptions (setMyCommands and /help)
cmd-start = Welcome and what this bot can do
cmd-help = Every command, one line each
cmd-language = Choose Bahasa Indonesia or English
cmd-cancel = Leave the current dialogue

## /start and /help
start-welcome =
    Hello, <b>{ $name }</b>! 👋

    I keep your payment-gateway accounts in one chat: balances, QRIS deposit invoices
    as images, withdrawals you confirm with a button, histories and notifications when
    money arrives.

    Your credentials are stored encrypted and are never shown again after linking.

    Send /help to see every command.
help-header = <b>Commands</b>
help-footer = Amounts can be written as <code>50000</code>, <code>50.000</code>, <code>Rp 50.000</code>, <code>50rb</code> or <code>1,5jt</code>.

## /language
language-choose = Choose your language:
language-set = Language set to English. Commands are now described in English too.

## /cancel
cancel-done = Cancelled. Nothing was changed.
cancel-nothing = There is nothing to cancel.

## General
unknown-command = I don't know that command. Send /help to see what I can do.
unknown-text = Send /help to see what I can do.
error-internal = Something went wrong on our side. Nothing was changed; please try again in a moment.
callback-stale = This button is no longer valid.
callback-not-yours = This button belongs to someone else.

## Gateway errors
gateway-credentials-rejected = The gateway rejected the credentials of this account. Link it again with /link if they changed.
gateway-refused =
    The gateway refused:
    { $reasons }
gateway-not-found = The gateway does not know that one. Check the id and try again.
gateway-unavailable = The gateway is not available right now. Nothing was changed; please try again in a few minutes.
gateway-timed-out = The gateway did not answer in time. Please try again in a moment.
gateway-unexpected = The gateway sent an answer the bot cannot read. Nothing was changed; please try again later.
gateway-unsupported = This account's provider does not offer that.
refusal-account-not-yours = The destination bank account must be your own.
refusal-wrong-password = The password is not valid.
refusal-once-per-day = Withdrawals can be made only once a day.
refusal-invoice-paid = The invoice is already paid and cannot be cancelled.
