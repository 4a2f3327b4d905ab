//! The clients against `merchant-bot simulate`: the simulator follows the same wire
//! contract as the mocked servers, so the same expectations hold.

use merchant_bot::{
    domain::Credentials,
    providers::{
        BalanceSource, DisbursementStatus, Gateway, GatewayError, InvoiceQr, InvoiceStatus, Refusal, VaKind,
        WithdrawRequest, WithdrawalStatus,
    },
    qr::payload::Qris,
    simulator::{self, DEMO},
};
use serde_json::{Value, json};

use super::{client, rp};

async fn sim() -> simulator::Running {
    simulator::start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

async fn control(url: &str, path: &str, body: Value) -> Value {
    reqwest::Client::new().post(format!("{url}{path}")).json(&body).send().await.unwrap().json().await.unwrap()
}

fn bukalapak(url: &str) -> Gateway {
    client(
        url,
        Credentials::Bukalapak { user_id: DEMO.bukalapak_user_id.into(), api_key: DEMO.bukalapak_api_key.into() },
    )
}

/// Decodes the QR code in a PNG.
pub fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn bukalapak_balance_withdraw_and_its_refusals() {
    let s = sim().await;
    let g = bukalapak(&s.url);
    g.verify().await.unwrap();
    let balance = g.balance().await.unwrap();
    assert_eq!(balance.amount, rp(1_250_000));
    assert!(matches!(balance.source, BalanceSource::NewestMutation { .. }));

    let request = |account: &str, password: &str| WithdrawRequest::Bank {
        amount: rp(100_000),
        bank_account_id: account.into(),
        password: password.into(),
    };
    let refused = |r: Result<_, GatewayError>| match r {
        Err(GatewayError::Refused(reasons)) => reasons,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(g.withdraw(&request(DEMO.bukalapak_bank_account_id, "wrong")).await),
        vec![Refusal::WrongPassword]
    );
    assert_eq!(
        refused(g.withdraw(&request("999", "wrong")).await),
        vec![Refusal::AccountNotYours, Refusal::WrongPassword]
    );
    let receipt = g.withdraw(&request(DEMO.bukalapak_bank_account_id, DEMO.bukalapak_password)).await.unwrap();
    assert_eq!(
        refused(g.withdraw(&request(DEMO.bukalapak_bank_account_id, "wrong")).await),
        vec![Refusal::OncePerDay, Refusal::WrongPassword]
    );
    assert_eq!(g.balance().await.unwrap().amount, rp(1_150_000));

    let w = g.withdrawal(&receipt.id).await.unwrap();
    assert_eq!((w.amount, w.status), (rp(100_000), WithdrawalStatus::Pending));
    control(&s.url, &format!("/_sim/bukalapak/withdrawals/{}/state", receipt.id), json!({"state": "transferred"}))
        .await;
    assert_eq!(g.withdrawal(&receipt.id).await.unwrap().status, WithdrawalStatus::Other("transferred".into()));
    let newest = g.mutations(1, 10).await.unwrap().items;
    assert_eq!((newest[0].action.as_str(), newest[0].amount), ("withdrawal", rp(100_000)));

    let wrong =
        client(&s.url, Credentials::Bukalapak { user_id: DEMO.bukalapak_user_id.into(), api_key: "nope".into() });
    assert!(matches!(wrong.verify().await, Err(GatewayError::CredentialsRejected { .. })));
}

#[tokio::test]
async fn qris_invoices_carry_valid_qris_and_move_with_the_control_api() {
    let s = sim().await;
    let g = client(&s.url, Credentials::Qris { api_key: DEMO.qris_api_key.into() });
    assert!(matches!(
        client(&s.url, Credentials::Qris { api_key: "bad".into() }).verify().await,
        Err(GatewayError::CredentialsRejected { .. })
    ));
    let start = g.balance().await.unwrap().amount;

    let invoice = g.create_invoice(rp(25_000)).await.unwrap();
    assert_eq!((invoice.amount, invoice.fee, invoice.total), (rp(25_000), rp(175), rp(25_175)));
    let InvoiceQr::Payload(payload) = &invoice.qr else { panic!("{:?}", invoice.qr) };
    let qris = Qris::parse(payload).unwrap();
    assert_eq!((qris.get(1), qris.amount()), (Some("12"), Some(rp(25_175))));

    // Deployments without qris_string: the image holds the same payload.
    control(&s.url, "/_sim/qris/settings", json!({"qris_string": false})).await;
    let read = g.invoice(&invoice.id).await.unwrap();
    let InvoiceQr::ImageUrl(url) = &read.qr else { panic!("{:?}", read.qr) };
    let png = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&decode_qr(&png), payload);

    control(&s.url, &format!("/_sim/qris/invoices/{}/pay", invoice.id), json!({})).await;
    assert_eq!(g.invoice(&invoice.id).await.unwrap().status, InvoiceStatus::Paid);
    assert_eq!(g.balance().await.unwrap().amount, start.checked_add(rp(25_000)).unwrap());
    match g.cancel_invoice(&invoice.id).await {
        Err(GatewayError::Refused(r)) => assert_eq!(r, vec![Refusal::InvoiceAlreadyPaid]),
        other => panic!("{other:?}"),
    }
    let other = g.create_invoice(rp(10_000)).await.unwrap();
    assert_eq!(g.cancel_invoice(&other.id).await.unwrap(), InvoiceStatus::Expired);
    assert!(matches!(g.invoice("no-such-invoice").await, Err(GatewayError::NotFound)));
}

#[tokio::test]
async fn qris_dana_withdrawals_approved_and_rejected() {
    let s = sim().await;
    let g = client(&s.url, Credentials::Qris { api_key: DEMO.qris_api_key.into() });
    let dana =
        |amount| WithdrawRequest::Dana { amount: rp(amount), number: "081234567890".into(), name: "John Doe".into() };
    let first = g.withdraw(&dana(100_000)).await.unwrap();
    assert_eq!((first.fee, first.total, first.new_balance), (Some(rp(1_000)), Some(rp(101_000)), Some(rp(899_000))));
    let second = g.withdraw(&dana(50_000)).await.unwrap();
    control(&s.url, &format!("/_sim/qris/withdrawals/{}/approve", first.id), json!({})).await;
    control(&s.url, &format!("/_sim/qris/withdrawals/{}/reject", second.id), json!({"admin_note": "Nama tidak cocok"}))
        .await;
    assert_eq!(g.withdrawal(&first.id).await.unwrap().status, WithdrawalStatus::Success);
    let rejected = g.withdrawal(&second.id).await.unwrap();
    assert_eq!(
        (rejected.status, rejected.admin_note.as_deref()),
        (WithdrawalStatus::Rejected, Some("Nama tidak cocok"))
    );
    let only_success = g.withdrawals(1, 10, Some("success")).await.unwrap();
    assert_eq!(only_success.items.iter().map(|w| w.id.clone()).collect::<Vec<_>>(), vec![first.id]);
    assert!(matches!(g.withdraw(&dana(5_000_000)).await, Err(GatewayError::Refused(_))));
}

#[tokio::test]
async fn snap_token_disbursements_sub_accounts_and_virtual_accounts() {
    let s = sim().await;
    let g = client(
        &s.url,
        Credentials::Snap {
            partner_id: DEMO.snap_partner_id.into(),
            client_secret: DEMO.snap_client_secret.into(),
            account_id: DEMO.snap_account_id.into(),
        },
    );
    g.verify().await.unwrap();
    let d = g.disbursement("4565456565").await.unwrap();
    assert_eq!((d.status, d.amount, d.total), (DisbursementStatus::Success, rp(11_000), Some(rp(13_000))));
    assert!(matches!(g.disbursement("0").await, Err(GatewayError::NotFound)));

    let first = g.sub_accounts(1).await.unwrap();
    let second = g.sub_accounts(2).await.unwrap();
    assert_eq!((first.items.len(), second.items.len(), first.total_pages), (10, 2, Some(2)));
    assert!(first.has_next(10) && !second.has_next(10));
    assert_eq!(g.virtual_accounts(VaKind::Temporary, 2).await.unwrap().items.len(), 3);
    assert!(
        g.virtual_accounts(VaKind::Permanent, 1)
            .await
            .unwrap()
            .items
            .iter()
            .all(|v| v.kind == VaKind::Permanent && v.amount == rp(0))
    );

    // Tokens revoked at the gateway: one 401, one refresh, and the call succeeds.
    control(&s.url, "/_sim/snap/expire-tokens", json!({})).await;
    control(&s.url, "/_sim/snap/disbursements/4565456566/status", json!({"status": "failed"})).await;
    assert_eq!(g.disbursement("4565456566").await.unwrap().status, DisbursementStatus::Failed);

    let wrong = client(
        &s.url,
        Credentials::Snap {
            partner_id: DEMO.snap_partner_id.into(),
            client_secret: "wrong".into(),
            account_id: DEMO.snap_account_id.into(),
        },
    );
    assert!(matches!(wrong.verify().await, Err(GatewayError::CredentialsRejected { .. })));
}
