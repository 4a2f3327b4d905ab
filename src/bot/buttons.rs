//! Buttons. Callback data is client-controlled and at most 64 bytes, so a button
//! carries either a harmless client-side choice (`lang:id`) or `a:<id>`, a reference to
//! a [`ButtonAction`] stored on the server for the user it was made for
//! ([`crate::storage::actions`]).

use crate::domain::TelegramUserId;
use crate::domain::{AccountId, InvoiceId, WithdrawalId};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::App;
use crate::{
    domain::{PayToken, Provider},
    i18n::Lang,
    providers::VaKind,
};

/// Navigation buttons (paging, choosing an account) work this long.
pub const NAVIGATION_TTL: Duration = Duration::from_secs(24 * 3600);

/// A read-only command that needs one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadCommand {
    Withdrawals,
    Mutations,
    SubAccounts,
    VirtualAccounts,
    Disbursement,
    /// `/deposit`: the argument is the typed amount.
    Deposit,
}

/// What a server-side button does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ButtonAction {
    LinkProvider {
        provider: Provider,
    },
    LinkUseLabel {
        label: String,
    },
    LinkReplace {
        provider: Provider,
        label: String,
    },
    LinkCancel,
    MakeDefault {
        account_id: AccountId,
    },
    AskUnlink {
        account_id: AccountId,
    },
    Unlink {
        account_id: AccountId,
    },
    ShowAccounts,
    /// Ask for the name customers see on the account's invoices.
    AskDisplayName {
        account_id: AccountId,
    },
    /// Run a command on the chosen account.
    Run {
        command: ReadCommand,
        account_id: AccountId,
        arg: Option<String>,
    },
    /// Show a page of a list.
    Page {
        command: ReadCommand,
        account_id: AccountId,
        page: u32,
        arg: Option<String>,
    },
    /// Switch `/va` to the other kind.
    VaKind {
        account_id: AccountId,
        kind: VaKindArg,
    },
    /// Ask the gateway for the invoice's status and refresh its caption.
    InvoiceRefresh {
        invoice_id: InvoiceId,
    },
    InvoiceCancel {
        invoice_id: InvoiceId,
    },
    /// Show the invoice's pay link.
    InvoiceShare {
        invoice_id: InvoiceId,
    },
    InvoicesPage {
        page: u32,
    },
    /// Keep the static QRIS decoded from a photo.
    SaveStaticQris {
        payload: String,
    },
    /// `/withdraw` from this account.
    WithdrawAccount {
        account_id: AccountId,
    },
    /// A recently used destination.
    /// The amount is the waiting dialogue's: a button of an earlier /withdraw must not
    /// bring that one's. (Buttons stored with an `amount` still read: it is ignored.)
    WithdrawTo {
        account_id: AccountId,
        destination: crate::providers::Destination,
    },
    WithdrawConfirm {
        withdrawal_id: WithdrawalId,
    },
    WithdrawCancel {
        withdrawal_id: WithdrawalId,
    },
    /// `/pin` menu.
    Pin {
        choice: PinChoice,
    },
    /// `/notify`: switch one kind on or off.
    NotifyToggle {
        kind: crate::notifier::events::NotifyKind,
    },
    /// `/notify`: the daily summary's choices.
    DailySummaryMenu,
    /// `/notify`: the daily summary at this hour (WIB), or off.
    DailySummaryHour {
        hour: Option<u8>,
    },
    /// `/notify`: switch whether a quiet day is summarized too.
    DailySummaryQuietDays,
    /// `/staff`: a one-time invite for these accounts.
    StaffInvite {
        account_ids: Vec<AccountId>,
    },
    /// `/staff`: remove this member from all of the owner's accounts.
    StaffRemove {
        staff_id: TelegramUserId,
    },
}

/// The `/pin` menu's buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinChoice {
    Set,
    Change,
    Remove,
    Threshold,
}

/// [`VaKind`] for storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VaKindArg {
    Temporary,
    Permanent,
}

impl From<VaKindArg> for VaKind {
    fn from(k: VaKindArg) -> VaKind {
        match k {
            VaKindArg::Temporary => VaKind::Temporary,
            VaKindArg::Permanent => VaKind::Permanent,
        }
    }
}

impl From<VaKind> for VaKindArg {
    fn from(k: VaKind) -> VaKindArg {
        match k {
            VaKind::Temporary => VaKindArg::Temporary,
            VaKind::Permanent => VaKindArg::Permanent,
        }
    }
}

impl ButtonAction {
    /// Whether the button works only once (it changes accounts or a dialogue).
    fn single_use(&self) -> bool {
        !matches!(
            self,
            ButtonAction::Run { .. }
                | ButtonAction::Page { .. }
                | ButtonAction::VaKind { .. }
                | ButtonAction::ShowAccounts
                | ButtonAction::InvoiceRefresh { .. }
                | ButtonAction::InvoiceShare { .. }
                | ButtonAction::InvoicesPage { .. }
                | ButtonAction::WithdrawConfirm { .. }
                | ButtonAction::NotifyToggle { .. }
                | ButtonAction::DailySummaryMenu
                | ButtonAction::DailySummaryHour { .. }
                | ButtonAction::DailySummaryQuietDays
        )
    }
}

/// The first steps offered under `/start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstStep {
    Link,
    Deposit,
    Balance,
    Help,
}

impl FirstStep {
    pub const ALL: [FirstStep; 4] = [FirstStep::Link, FirstStep::Deposit, FirstStep::Balance, FirstStep::Help];

    fn code(self) -> &'static str {
        match self {
            FirstStep::Link => "link",
            FirstStep::Deposit => "deposit",
            FirstStep::Balance => "balance",
            FirstStep::Help => "help",
        }
    }
}

/// The callback data of a button, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// Choose the language (the presser's own setting, so anyone may press it).
    SetLanguage(Lang),
    /// A first step under `/start`: the same as its command, for whoever presses it.
    FirstStep(FirstStep),
    /// A stored action.
    Action(i64),
    /// Check status on a customer's invoice card: anyone holding the card may press it;
    /// the pay link's token names the invoice and is the permission.
    Pay(PayToken),
}

impl Callback {
    pub fn encode(&self) -> String {
        match self {
            Callback::SetLanguage(lang) => format!("lang:{}", lang.code()),
            Callback::FirstStep(step) => format!("go:{}", step.code()),
            Callback::Action(id) => format!("a:{id}"),
            Callback::Pay(token) => format!("pay:{}", token.as_str()),
        }
    }

    /// `None` for data this version does not understand (an old button, or forged data).
    pub fn decode(data: &str) -> Option<Callback> {
        let (verb, arg) = data.split_once(':')?;
        match verb {
            "lang" => Lang::parse(arg).map(Callback::SetLanguage),
            "go" => FirstStep::ALL.into_iter().find(|s| s.code() == arg).map(Callback::FirstStep),
            "a" => arg.parse().ok().filter(|id: &i64| *id > 0).map(Callback::Action),
            "pay" => PayToken::parse(arg).map(Callback::Pay),
            _ => None,
        }
    }
}

impl App {
    /// A button that does `action` for `owner` when pressed.
    pub async fn button(
        &self,
        owner: TelegramUserId,
        text: impl Into<String>,
        action: ButtonAction,
    ) -> anyhow::Result<InlineKeyboardButton> {
        let [button] = self.buttons(owner, [(text.into(), action)]).await?;
        Ok(button)
    }

    /// Several buttons for `owner`, stored in one database round trip (a keyboard's).
    pub async fn buttons<const N: usize>(
        &self,
        owner: TelegramUserId,
        buttons: [(String, ButtonAction); N],
    ) -> anyhow::Result<[InlineKeyboardButton; N]> {
        let ids = self.store_buttons(owner, buttons.iter().map(|(_, action)| action)).await?;
        let mut ids = ids.into_iter();
        Ok(buttons.map(|(text, _)| button(text, ids.next())))
    }

    /// A keyboard of buttons for `owner`, row by row, stored in one database round trip;
    /// empty rows are left out.
    pub async fn keyboard(
        &self,
        owner: TelegramUserId,
        rows: Vec<Vec<(String, ButtonAction)>>,
    ) -> anyhow::Result<InlineKeyboardMarkup> {
        let ids = self.store_buttons(owner, rows.iter().flatten().map(|(_, action)| action)).await?;
        let mut ids = ids.into_iter();
        let rows: Vec<Vec<InlineKeyboardButton>> = rows
            .into_iter()
            .filter(|row| !row.is_empty())
            .map(|row| row.into_iter().map(|(text, _)| button(text, ids.next())).collect())
            .collect();
        Ok(InlineKeyboardMarkup::new(rows))
    }

    async fn store_buttons<'a>(
        &self,
        owner: TelegramUserId,
        actions: impl Iterator<Item = &'a ButtonAction>,
    ) -> anyhow::Result<Vec<i64>> {
        let actions: Vec<(&ButtonAction, Duration, bool)> =
            actions.map(|action| (action, self.button_ttl(action), action.single_use())).collect();
        if actions.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::services::buttons::store(self, owner, &actions).await?;
        anyhow::ensure!(ids.len() == actions.len(), "{} buttons stored for {}", ids.len(), actions.len());
        Ok(ids)
    }

    /// How long a button works. A dialogue's buttons live as long as the dialogue.
    /// Confirm lives until the abandoned draft is expired (twice the dialogue's time), so
    /// a late press still hears that the withdrawal expired; a second press is answered
    /// harmlessly.
    fn button_ttl(&self, action: &ButtonAction) -> Duration {
        match action {
            ButtonAction::WithdrawConfirm { .. } => self.config.dialogue_timeout * 2,
            a if a.single_use() => self.config.dialogue_timeout,
            _ => NAVIGATION_TTL,
        }
    }
}

/// A button carrying a stored action's id (every id is there: `store_buttons` checked).
fn button(text: String, id: Option<i64>) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, Callback::Action(id.unwrap_or_default()).encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_button_stored_with_its_old_amount_still_reads() {
        let destination = crate::providers::Destination::Dana { number: "081234567890".into(), name: "Ann".into() };
        let mut stored =
            serde_json::to_value(ButtonAction::WithdrawTo { account_id: AccountId::new(7), destination }).unwrap();
        stored["WithdrawTo"]["amount"] = serde_json::json!(100_000);
        let read: ButtonAction = serde_json::from_value(stored).unwrap();
        assert!(matches!(read, ButtonAction::WithdrawTo { account_id, .. } if account_id == AccountId::new(7)));
    }

    #[test]
    fn callback_data_round_trips_and_junk_is_refused() {
        for c in [
            Callback::SetLanguage(Lang::Id),
            Callback::SetLanguage(Lang::En),
            Callback::Action(9_223_372_036_854_775_807),
            Callback::FirstStep(FirstStep::Link),
            Callback::FirstStep(FirstStep::Deposit),
            Callback::FirstStep(FirstStep::Balance),
            Callback::FirstStep(FirstStep::Help),
            Callback::Pay(PayToken::generate()),
        ] {
            assert!(c.encode().len() <= 64);
            assert_eq!(Callback::decode(&c.encode()), Some(c));
        }
        for junk in [
            "",
            "lang",
            "lang:xx",
            "nope:id",
            "lang:id:extra",
            "go:",
            "go:withdraw",
            "a:",
            "a:-1",
            "a:0",
            "a:1x",
            "pay:",
            "pay:short",
            "pay:!!!!!!!!!!!!!!!!!!!!!!",
        ] {
            assert_eq!(Callback::decode(junk), None, "{junk}");
        }
    }
}
