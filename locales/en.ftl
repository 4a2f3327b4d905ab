# English texts of merchant-bot. Every key here exists in id.ftl too (a test checks it).
# Values are Telegram HTML: arguments are escaped by the bot before they are inserted.
# Keys starting with cmd- (the command menu), button- (button labels), card- and
# qris-card-footer (drawn on images) are plain text; /help escapes the cmd- texts.

lang-name = English

## Command descriptions (setMyCommands and /help)
cmd-start = Welcome and what this bot can do
cmd-help = Every command, one line each
cmd-language = Choose Bahasa Indonesia or English
cmd-cancel = Leave the current dialogue

## /start and /help
start-welcome =
    Hello, <b>{ $name }</b>! 👋

    I turn your own payment-gateway accounts into a till in this chat: balances, QRIS invoices as images, withdrawals you confirm with a button, and a message when money arrives.

    <b>Start here:</b> link an account with /link (Bukalapak, QRIS or SNAP). Your credentials are stored encrypted and never shown again.

    Then <code>/deposit 25000</code> makes a QRIS invoice, /balance shows your balances and /help lists every command.
button-start-link = 🔗 Link an account
button-start-deposit = 🧾 Deposit
button-start-balance = 💰 Balance
button-start-help = ❓ All commands
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
error-reply-refused = ⚠️ I could not show this answer: Telegram refused a message I built. That is a fault in the bot, not in what you sent, and it has been logged for the operator. Please try again later, or see /help.
error-internal = Something went wrong on our side. Nothing was changed; please try again in a moment.
callback-stale = This button is no longer valid.
callback-not-yours = This button belongs to someone else.

## Gateway errors
gateway-credentials-rejected = The gateway rejected the credentials of this account. Link it again with /link if they changed.
gateway-refused =
    The gateway refused:
    { $reasons }
gateway-not-found = The gateway does not know that one. Check the id and try again.
gateway-slow = ⏳ The gateway is slow to answer. I will answer here as soon as it does.
gateway-unavailable = The gateway is not available right now. Nothing was changed; please try again in a few minutes.
gateway-timed-out = The gateway did not answer in time. Please try again in a moment.
gateway-busy = The gateway is answering slowly and many requests are already waiting for it. Nothing was sent; please try again in a minute.
gateway-unexpected = The gateway sent an answer the bot cannot read. Nothing was changed; please try again later.
gateway-unsupported = This account's provider does not offer that.
refusal-account-not-yours = The destination bank account must be your own.
refusal-wrong-password = The password is not valid.
refusal-once-per-day = Withdrawals can be made only once a day.
refusal-invoice-paid = The invoice is already paid and cannot be cancelled.

## More command descriptions
cmd-link = Link a payment-gateway account
cmd-accounts = Your linked accounts: default and unlink
cmd-balance = Balance of your accounts (or of one: /balance toko-1)
cmd-withdrawals = Withdrawal history (/withdrawals pending)
cmd-mutations = Bukalapak mutation history
cmd-disbursement = One SNAP disbursement: /disbursement 4565456565
cmd-subaccounts = SNAP sub accounts
cmd-va = SNAP virtual accounts (/va permanent)

## Names
provider-bukalapak = Bukalapak Dompet
provider-qris = QRIS
provider-snap = SNAP
status-pending = ⏳ pending
status-success = ✅ success
status-rejected = ❌ rejected
status-failed = ❌ failed
status-paid = ✅ paid
status-expired = ⌛ expired
status-active = active
status-inactive = inactive
va-temporary = temporary
va-permanent = permanent
fee = Fee

## Buttons
button-cancel = ✖ Cancel
button-replace = ♻️ Replace
button-make-default = ⭐ { $label }
button-unlink = 🗑 { $label }
button-unlink-confirm = 🗑 Yes, unlink
button-keep = Keep it
button-va-temporary = Show temporary ones
button-va-permanent = Show permanent ones

## Private data stays private
private-only = I show accounts, balances and histories only in a private chat, and never ask for credentials in a group. Message me at @{ $bot }.
dialogue-text-please = Please answer with a text message, or send /cancel.

## /link
link-choose-provider = Which gateway is the account at?
link-press-button = Please choose the gateway with a button above, or send /cancel.
link-ask-label = Give this { $provider } account a short name (letters, digits, <code>-</code> and <code>_</code>), or use <b>{ $label }</b>.
link-use-label = Use { $label }
link-label-chosen = Name: <b>{ $label }</b>
link-label-invalid = That name won't do: { $reason } Example: <code>toko-1</code>.
label-error-length = a name has 1 to 32 characters.
label-error-characters = use only letters, digits, <code>-</code> and <code>_</code>, starting with a letter or digit.
link-label-exists = You already have an account named <b>{ $label }</b> ({ $provider }). Replace it with new credentials?
link-replacing = Replacing <b>{ $label }</b>.
link-ask-field = Send the <code>{ $field }</code> of the account ({ $step }/{ $steps }). I delete your message as soon as I have read it.
link-field-invalid = That doesn't look like a <code>{ $field }</code>: it is one line without spaces. Send it again, or /cancel.
secret-unexpected = 🔐 That looked like a key or a password, so I deleted it: no dialogue was waiting for one. To link an account, send /link.
secret-not-a-label = 🔐 That looks like a key, not a name, so I deleted it. Give the account a short name first (e.g. <code>toko-1</code>); the keys are asked next.
secret-in-caption = 🔐 The caption looked like a key or a password, so I deleted the message. Send credentials as plain text messages when /link asks for them.
link-delete-failed = ⚠️ I could not delete your message. Please delete it yourself.
link-checking = Checking the credentials with { $provider }…
link-rejected = ❌ { $provider } rejected these credentials, so nothing was stored. Send the <code>{ $field }</code> again to retry, or /cancel.
link-failed =
    I could not check the credentials: { $error }
    Nothing was stored. Send the <code>{ $field }</code> again to retry, or /cancel.
link-label-changed = This name was linked or unlinked meanwhile on another device; nothing was stored. Send /link to start again.
link-done =
    ✅ Linked <b>{ $label }</b> ({ $provider }).
    { $masked }
    { $default }
link-is-default = It is your default account.
link-not-default = Make it the default in /accounts.

## /accounts
accounts-none = You have no linked accounts yet. Send /link to add one.
accounts-header = <b>Your accounts</b>
accounts-line = { $marker } <b>{ $label }</b> — { $provider }
accounts-hint = ⭐ marks the default account, used when a command names none. Buttons: ⭐ make default, 🗑 unlink.
accounts-confirm-unlink = Unlink <b>{ $label }</b> ({ $provider })? Its credentials are deleted and its notifications stop.
accounts-unlinked = 🗑 Unlinked <b>{ $label }</b>. Its credentials are deleted.
accounts-default-set = ⭐ <b>{ $label }</b> is now your default account.
account-gone = That account is no longer linked.
account-unreadable = The stored credentials of <b>{ $label }</b> cannot be read with this bot's key. Link it again with /link.
account-error =
    <b>{ $label }</b>: { $error }

## Choosing an account
need-link = You have no linked account yet. Send /link to link one.
no-capable = None of your accounts offers this; a { $providers } account does. Link one with /link.
account-cannot = <b>{ $label }</b> ({ $provider }) doesn't offer this; a { $providers } account does.
unknown-account = You have no account named <b>{ $label }</b>. Your accounts: { $labels }.
choose-account = Which account?

## /balance
balance-header = <b>Balances</b>
balance-line = <b>{ $label }</b> ({ $provider }): <b>{ $amount }</b>
balance-from-mutation = <i>From the newest mutation ({ $at }): Bukalapak has no balance endpoint.</i>
balance-no-mutations = <i>No mutation yet.</i>
balance-after = Balance after: { $amount }

## Lists
list-withdrawals-title = <b>Withdrawals</b> — { $label }
list-mutations-title = <b>Mutations</b> — { $label }
list-subaccounts-title = <b>Sub accounts</b> — { $label }
list-va-title = <b>Virtual accounts ({ $kind })</b> — { $label }
list-cut = … and { $count } more not shown here: the message would be too long.
list-empty = Nothing here yet.
list-page = Page { $page } of { $pages }
list-page-unknown = Page { $page }
bank-account = bank account { $id }
admin-note = Note: { $note }
va-kind-invalid = The kind is <code>temporary</code> or <code>permanent</code>, e.g. <code>/va permanent</code>.

## /disbursement
disbursement-usage = Send the transaction id, e.g. <code>/disbursement 4565456565</code>.
disbursement-title = <b>Disbursement { $id }</b> — { $label }
disbursement-status = Status: { $status }
disbursement-amount = Amount: { $amount }
disbursement-fee = { $name }: { $amount }
disbursement-total = Total: { $amount }
disbursement-bank = Bank: { $bank }
disbursement-posted = Requested: { $at }
disbursement-processed = Processed: { $at }
disbursement-notes = Notes: { $notes }

## Deposits and invoices
cmd-deposit = QRIS deposit invoice as an image: /deposit 25000
cmd-invoice = Status of one invoice: /invoice <id>
cmd-invoices = The invoices made through the bot
cmd-qris = Your own QRIS for an amount: /qris 25000 (send a photo of it first)
amount-not-a-number = That is not an amount. Write it like <code>25000</code>, <code>25.000</code>, <code>Rp 25.000</code> or <code>25rb</code>.
amount-not-positive = The amount must be above zero, e.g. <code>25000</code>.
amount-fractional = Rupiah amounts have no fractions: write <code>25000</code>, not <code>25.000,50</code>.
amount-too-large = The most for one deposit is { $max }. Example: <code>/deposit 25000</code>.
deposit-usage = Send the amount, e.g. <code>/deposit 25000</code> or <code>/deposit 1,5jt</code>.
invoice-creating = Creating an invoice on <b>{ $label }</b>…
invoice-title = 🧾 <b>Invoice { $id }</b> — { $label }
invoice-amount = Amount: { $amount }
invoice-fee = Fee: { $amount }
invoice-total = <b>Total to pay: { $amount }</b>
invoice-expires = Valid until: { $at }
invoice-status = Status: { $status }
invoice-no-qr = ⚠️ The gateway gave no QR code for this invoice.
invoice-usage = Send the invoice id, e.g. <code>/invoice 64c8d9e</code>. /invoices lists them.
invoice-unknown = No invoice <code>{ $id }</code> was made through this bot. /invoices lists them.
invoices-title = <b>Your invoices</b>
invoices-none = No invoice yet. Make one with <code>/deposit 25000</code>.
status-cancelled = ✖ cancelled
button-check-status = 🔄 Check status
button-cancel-invoice = ✖ Cancel invoice
card-amount = Amount
card-fee = Fee
card-total = Total
card-invoice = Invoice
card-expires = Valid until
card-city = City
card-footer = Pay with any app that supports QRIS

## Static QRIS
button-save = 💾 Save
qris-photo-unavailable = I could not read that photo. Please send it again.
qris-photo-no-code = I found no QR code in this photo. Send a sharp, straight photo of your printed QRIS.
qris-photo-invalid = This QR code is not a valid QRIS: { $reason }
qris-invalid-crc = its checksum is wrong.
qris-invalid-missing = field { $tag } is missing.
qris-invalid-country = it is for country { $country }, not Indonesia.
qris-invalid-currency = its currency is { $currency }, not rupiah.
qris-invalid-structure = its content is not laid out as QRIS.
qris-photo-dynamic = This is a dynamic QRIS, made for one payment. Send a photo of your printed static QRIS instead.
qris-photo-found = Found the static QRIS of <b>{ $merchant }</b> ({ $city }). Save it, so that <code>/qris 25000</code> makes a QRIS for an amount?
qris-photo-replaces = It replaces the saved one of <b>{ $merchant }</b>.
qris-saved = 💾 Saved the QRIS of <b>{ $merchant }</b>. Send <code>/qris 25000</code> for a QRIS of Rp 25,000.
qris-current = Your saved QRIS: <b>{ $merchant }</b>. Send <code>/qris 25000</code> for an amount, or a photo of another printed QRIS to replace it.
qris-none = Send me a photo of your printed static QRIS first; then <code>/qris 25000</code> makes a QRIS for that amount.
qris-card-footer = Made from the merchant's static QRIS: no payment confirmation
qris-dynamic-caption =
    QRIS of <b>{ $merchant }</b> for <b>{ $amount }</b>.
    ⚠️ Made by this bot from your static QRIS, not issued by a payment provider: no payment confirmation will follow. Check the payment in your bank or wallet app.

## /withdraw
cmd-withdraw = Withdraw money: QRIS to DANA, Bukalapak to your bank
cmd-pin = Set, change or remove the withdrawal PIN
button-confirm = ✅ Confirm
withdraw-locked = 🔒 Withdrawals are locked after too many wrong PINs, until { $until }.
withdraw-choose-account = Withdraw from which account?
withdraw-from = Withdraw from <b>{ $label }</b> ({ $provider }).
withdraw-balance = Balance: <b>{ $amount }</b>
withdraw-balance-unknown = The balance could not be read now.
withdraw-ask-amount = How much? e.g. <code>100000</code> or <code>100rb</code>. /cancel stops.
withdraw-above-balance = That is more than the balance ({ $amount }). Send a smaller amount, or /cancel.
withdraw-ask-dana-number = Send the DANA number to pay to (<code>08…</code> or <code>628…</code>, 10 to 15 digits).
withdraw-ask-dana-name = Send the name of that DANA account.
withdraw-ask-bank-account = Send the <code>bank_account_id</code> of your Bukalapak bank account (digits).
withdraw-recent = Or choose a recent one:
withdraw-bad-dana-number = That is not a DANA number: it starts with <code>08</code> or <code>628</code> and has 10 to 15 digits, e.g. <code>081234567890</code>.
withdraw-bad-dana-name = Send the account holder's name in letters, e.g. <code>John Doe</code>.
withdraw-bad-bank-account = The <code>bank_account_id</code> is a number, e.g. <code>41812</code>.
withdraw-summary =
    <b>Withdrawal</b>
    Amount: <b>{ $amount }</b>
    From: { $label } ({ $provider })
    To: { $destination }
    { $fee }

    Confirm to send it, once.
withdraw-fee-after = Fee: charged by the gateway, shown after sending.
withdraw-fee-bukalapak = Fee: as Bukalapak charges; your account password is asked after Confirm.
withdraw-press-button = Please press ✅ Confirm or ✖ Cancel above, or send /cancel.
withdraw-expired = ⌛ This withdrawal expired before it was confirmed. Nothing was sent; start again with /withdraw.
withdraw-ask-pin = 🔐 Send your withdrawal PIN. I delete the message at once.
withdraw-wrong-pin = ❌ Wrong PIN. { $left } tries left before withdrawals lock for 15 minutes.
withdraw-ask-password = 🔐 Send your Bukalapak account password. It is used for this withdrawal only, deleted from the chat at once and never stored.
withdraw-sending = Sending the withdrawal…
withdraw-done = ✅ Withdrawal of <b>{ $amount }</b> to { $destination } sent.
withdraw-id = Withdrawal id: <code>{ $id }</code>
withdraw-fee = Fee: { $amount }
withdraw-total = Total deducted: { $amount }
withdraw-new-balance = New balance: { $amount }
withdraw-watched = You will get a message when its status changes.
withdraw-refused =
    ❌ Not sent.
    { $error }
withdraw-unknown = ⚠️ The gateway did not answer, so it is not known whether the withdrawal was made. It will <b>not</b> be sent again: the bot checks the gateway's history and /withdrawals will show it.
withdraw-cancelled = ✖ Withdrawal cancelled. Nothing was sent.

## /pin
pin-none = No withdrawal PIN is set. With one, withdrawals above an amount you choose ask for it.
pin-set-info = A withdrawal PIN is set. It is asked for withdrawals above <b>{ $threshold }</b>.
button-pin-set = 🔐 Set a PIN
button-pin-change = Change PIN
button-pin-threshold = Change the amount
button-pin-remove = Remove PIN
pin-ask-new = Send a new PIN: 4 to 8 digits. I delete the message at once.
pin-ask-repeat = Send the same PIN again.
pin-ask-current = Send your current PIN.
pin-ask-threshold = Above which amount should withdrawals ask for the PIN? e.g. <code>500000</code>, or <code>0</code> for every withdrawal.
pin-invalid = A PIN is 4 to 8 digits. Send another one.
pin-mismatch = The two PINs differ. Send a new PIN again.
pin-saved = 🔐 PIN saved. It is asked for withdrawals above <b>{ $threshold }</b>.
pin-removed = PIN removed.
pin-wrong = ❌ Wrong PIN. Send it again, or /cancel.
pin-locked = 🔒 Too many wrong PINs: withdrawals and PIN changes are locked for 15 minutes.
pin-threshold-saved = The PIN is now asked for withdrawals above <b>{ $threshold }</b>.

## Notifications
cmd-notify = Turn each kind of notification on or off
notify-settings =
    <b>Notifications</b>
    { $list }

    Press a button to switch it.
notify-on = on
notify-off = off
notify-kind-invoices = Invoices paid or expired
notify-kind-withdrawals = Withdrawal status
notify-kind-mutations = Incoming money (Bukalapak)
notify-kind-disbursements = Disbursements (SNAP)
notify-invoice-paid = 💰 Invoice <code>{ $invoice }</code> ({ $label }) is <b>paid</b>: { $amount } received (the customer paid { $total }).
notify-invoice-expired = ⌛ Invoice <code>{ $invoice }</code> ({ $label }) of { $total } expired unpaid.
notify-withdrawal = 🏦 Withdrawal <code>{ $withdrawal }</code> of { $amount } ({ $label }): { $status }
notify-money-in = 💰 <b>{ $amount }</b> came in to { $label } ({ $action }). Balance: { $balance }
notify-disbursement = 📤 Disbursement <code>{ $transaction }</code> of { $amount } ({ $label }): { $status }
notify-credentials-rejected = ⚠️ The gateway now rejects the credentials of <b>{ $label }</b>, so its notifications are paused. Link it again with /link (same name) to resume.

## /group
cmd-group = In a group: /group on shows your own balances and lists there
group-only-in-group = Send <code>/group on</code> in a group to see your own balances, lists and invoices there.
group-enabled = This group now sees your balances, lists and invoices when you ask. Credentials, PINs and passwords are still asked only in private. <code>/group off</code> stops it.
group-disabled = This group no longer sees your balances, lists or invoices.
group-usage = <code>/group on</code> shows your own balances, lists and invoices in this group; <code>/group off</code> stops it.

## Reports and exports
cmd-report = Takings and withdrawals with a chart: /report week
cmd-export = A CSV file: /export invoices month
report-bad-period = That is not a period. Try { $usage } with <code>today</code>, <code>yesterday</code>, <code>week</code>, <code>month</code>, <code>last-month</code>, a date like <code>6/12/2026</code>, or <code>1/12/2026..6/12/2026</code> (WIB).
report-backwards = The period ends before it starts. Write the earlier date first, e.g. <code>1/12/2026..6/12/2026</code>.
report-future = That period has not started yet. Dates are in WIB.
report-too-long = A period can be at most { $days } days long.
report-title = 📊 <b>Report { $period }</b> (WIB)
report-account = <b>{ $label }</b>
report-total = <b>Total</b>
report-paid = Paid invoices: { $count }, { $sum } received (customers' fees { $fees })
report-unpaid = Unpaid: { $expired } expired, { $cancelled } cancelled
report-withdrawn = Withdrawn: { $count }, { $sum } (fees { $fees })
report-rejected = Rejected withdrawals: { $count }
report-in-doubt = Withdrawals still being checked: { $count }
report-nothing = Nothing was paid or withdrawn in this period.
report-source = Invoices, and withdrawals sent through the bot, are what this bot recorded: a sale counts on the day its invoice was seen paid, a withdrawal on the day it was sent. Money received outside the bot is not included (/mutations shows Bukalapak's).
report-history-read = Withdrawals made outside the bot come from the gateway's own history of: { $labels }.
report-history-failed = The gateway's history of { $labels } could not be read now, so withdrawals made there outside the bot are missing.
report-outside = Withdrawn outside the bot (gateway's history): { $count }, { $sum } (fees { $fees })
report-chart-caption = 📊 Sales, { $period } (WIB)
card-chart-days = Sales per day, { $period }
card-chart-hours = Sales per hour, { $period }
export-usage = Send <code>/export invoices</code> or <code>/export withdrawals</code>, optionally with a period: <code>/export invoices week</code>, <code>/export withdrawals 1/11/2026..30/11/2026</code>. Without one, this month.
export-no-invoices = No invoices were made through this bot in { $period }.
export-no-withdrawals = No withdrawals were sent through this bot in { $period }.
export-caption = { $count } rows, { $period } (WIB). UTF-8 CSV: opens in any spreadsheet program.
notify-kind-daily = Daily summary
notify-daily-at = at { $hour } WIB
notify-daily-quiet-days = (also on days with nothing to report)
notify-daily-menu = <b>Daily summary</b>: today's takings and withdrawals, once a day at the hour you choose (WIB). On a day with nothing to report it comes only if you switch that on.
button-daily-quiet-days = Also on quiet days
button-daily-off = Off
notify-daily-summary =
    📊 <b>Today, { $day }</b>
    Paid invoices: { $paid_count }, { $paid } received (customers' fees { $fees })
    Expired or cancelled: { $expired }
    Withdrawn: { $withdrawn_count }, { $withdrawn }
    /report shows more.

## Pay links: the customer's card, sharing, the card that marks itself
pay-title = 🧾 Payment to <b>{ $seller }</b>
stamp-paid = PAID
stamp-expired = EXPIRED
stamp-cancelled = CANCELLED
button-share-invoice = 🔗 Share with customer
button-share-telegram = 📤 Send in Telegram
share-text = 🔗 Send this link to your customer (WhatsApp, a group, anywhere). It opens this invoice's QR in Telegram and works until the invoice is paid, expires or is cancelled; it shows nothing else of your accounts.

    { $link }
share-telegram-text = Payment of { $amount } to { $seller }
pay-link-invalid = This payment link is not valid. Ask the seller for a new one.
pay-link-paid = ✅ This invoice has already been paid. Nothing more to do.
pay-link-expired = ⌛ This invoice has expired. Ask the seller for a new one.
pay-link-cancelled = ✖ The seller cancelled this invoice.
pay-told-paid = ✅ Payment received by <b>{ $seller }</b>: { $amount }. Thank you!
pay-told-expired = ⌛ The invoice from <b>{ $seller }</b> expired unpaid. Ask the seller for a new one if you still want to pay.
pay-told-cancelled = ✖ <b>{ $seller }</b> cancelled this invoice.
pay-status-toast = Status: { $status }
pay-status-busy = Checked a moment ago: { $status }. Try again in a few seconds.

## Display names
accounts-display-name = customers see: { $name }
button-display-name = 🏷 Name: { $label }
display-name-ask = Send the name customers should see on invoices from <b>{ $label }</b> (shop name, up to 64 characters). Now: { $current }.

    Send <code>-</code> to show the merchant name from the QRIS code instead, or /cancel.
display-name-none = the merchant name in the QRIS code
display-name-set = 🏷 Customers now see <b>{ $name }</b> on new invoices from <b>{ $label }</b>.
display-name-cleared = 🏷 New invoices from <b>{ $label }</b> show the merchant name in the QRIS code.
display-name-empty = The name is empty. Send a shop name, <code>-</code> to clear it, or /cancel.
display-name-too-long = That is longer than 64 characters. Send a shorter name, or /cancel.
display-name-control = The name holds characters that cannot be shown. Send plain text, or /cancel.

## Inline mode
inline-no-account = Link a QRIS account in the bot to make invoices here
inline-type-amount = Type an amount, e.g. 25000 (and an account label)
inline-no-such-account = You have no QRIS account named { $label }
inline-result-title = 🧾 Invoice of { $amount } ({ $label })
inline-result-description = Posts a QRIS invoice here for your customer to pay
inline-creating = 🧾 Creating an invoice of <b>{ $amount }</b>…
inline-wait-button = ⏳ Creating…
inline-wait-toast = The invoice is being created; a moment, please.
inline-open-qr = 📱 Open the QR to pay
inline-merchant-copy = 📌 Posted in a chat with inline mode. This copy is yours: Cancel and Share work here.

## Staff
cmd-staff = Let a cashier make invoices on your accounts
staff-title = 👥 <b>Staff</b>
staff-none = No staff yet.
staff-hint = Staff make invoices on the accounts you give them (/deposit) and see the invoices they made. They cannot see balances or history, withdraw, link or unlink, or touch your PIN. An invite link works once, for 24 hours.
staff-recent = <b>Recent activity</b>
staff-you = you
staff-need-qris = Staff make QRIS invoices: link a QRIS account first (/link).
staff-member = 👤 You are staff on these accounts:
    { $accounts }

    Make an invoice with /deposit, and see the ones you made with /invoices.
button-staff-invite = ➕ Invite for { $label }
button-staff-invite-all = ➕ Invite for all QRIS accounts
button-staff-remove = 🗑 Remove
staff-invite = 🔗 Send this link to your cashier. It works <b>once</b>, for <b>24 hours</b>, and lets them make invoices on <b>{ $accounts }</b> and see the invoices they made — nothing else.

    { $link }
staff-invite-invalid = This staff invite is not valid. Ask the owner for a new one.
staff-invite-spent = This staff invite was already used or is older than 24 hours. Ask the owner for a new one.
staff-invite-yourself = This is your own staff invite: send it to your cashier.
staff-invite-has-accounts = You have linked accounts of your own, so you cannot join someone's staff. Unlink them in /accounts first.
staff-joined = 👤 You are now staff on <b>{ $accounts }</b>. Make an invoice with /deposit, and see the ones you made with /invoices.
staff-joined-owner = 👥 <b>{ $name }</b> joined your staff for <b>{ $accounts }</b>. /staff lists and removes staff.
staff-refused = 🚫 As staff you can make invoices (/deposit) and see the ones you made (/invoices). { $command } is for the account's owner.
staff-removed = 🚫 You are no longer staff: the owner removed you. Ask them for a new invite if this is a mistake.
staff-you-were-removed = 🚫 The owner removed you from their staff. You can no longer make invoices on their accounts.
staff-button-refused = As staff you can only make and check invoices.
audit-invited = made an invite
audit-joined = joined
audit-invoice-created = made invoice { $invoice } on { $label }
audit-invoice-cancelled = cancelled invoice { $invoice }
audit-invoice-shared = shared invoice { $invoice }
audit-refused = was refused { $command }
audit-removed = was removed
