//! QRIS payloads: EMVCo merchant-presented TLV (two-digit tag, two-digit length,
//! value), templates nested the same way, a CRC16-CCITT (init 0xFFFF) in tag 63 over
//! everything before it including `6304`.

use std::fmt;

use crate::domain::Amount;

/// One data object: tag and value. Templates keep their value as text and are parsed on
/// demand with [`parse_tlv`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub tag: u8,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("not a QR payload: malformed data at character {0}")]
    Malformed(usize),
    #[error("the checksum (tag 63) is wrong: the payload says {found}, its content gives {expected}")]
    BadCrc { expected: String, found: String },
    #[error("tag {0:02} is missing")]
    MissingTag(u8),
    #[error("the checksum must be the last field")]
    CrcNotLast,
    #[error("the country is {0:?}, not ID (Indonesia)")]
    WrongCountry(String),
    #[error("the currency is {0:?}, not 360 (rupiah)")]
    WrongCurrency(String),
    #[error("tag 01 is {0:?}; it must be 11 (static) or 12 (dynamic)")]
    BadInitiation(String),
    #[error("no merchant account information (tags 26 to 51)")]
    NoMerchantAccount,
    #[error("the amount in tag 54 is malformed: {0:?}")]
    BadAmount(String),
    #[error("a value is too long for one field ({0} characters)")]
    TooLong(usize),
}

/// CRC16-CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// Splits TLV text into fields, in order.
pub fn parse_tlv(text: &str) -> Result<Vec<Field>, PayloadError> {
    let chars: Vec<char> = text.chars().collect();
    let mut fields = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let number = |from: usize| -> Option<usize> {
            let s: String = chars.get(from..from + 2)?.iter().collect();
            if s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
        };
        let tag = number(at).ok_or(PayloadError::Malformed(at))?;
        let len = number(at + 2).ok_or(PayloadError::Malformed(at + 2))?;
        let value: String = chars.get(at + 4..at + 4 + len).ok_or(PayloadError::Malformed(at + 4))?.iter().collect();
        fields.push(Field { tag: tag as u8, value });
        at += 4 + len;
    }
    Ok(fields)
}

/// Writes fields as TLV text.
pub fn write_tlv(fields: &[Field]) -> Result<String, PayloadError> {
    let mut out = String::new();
    for field in fields {
        let len = field.value.chars().count();
        if len > 99 {
            return Err(PayloadError::TooLong(len));
        }
        out.push_str(&format!("{:02}{:02}{}", field.tag, len, field.value));
    }
    Ok(out)
}

/// A valid QRIS payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qris {
    fields: Vec<Field>,
}

impl Qris {
    /// Parses and validates: structure, checksum, the tags QRIS requires, Indonesia and
    /// rupiah.
    pub fn parse(text: &str) -> Result<Qris, PayloadError> {
        let text = text.trim();
        let fields = parse_tlv(text)?;
        let last = fields.last().ok_or(PayloadError::MissingTag(0))?;
        if last.tag != 63 {
            return Err(if fields.iter().any(|f| f.tag == 63) {
                PayloadError::CrcNotLast
            } else {
                PayloadError::MissingTag(63)
            });
        }
        let body_len = text.chars().count() - last.value.chars().count();
        let body: String = text.chars().take(body_len).collect();
        let expected = format!("{:04X}", crc16(body.as_bytes()));
        // Exactly, uppercase as EMVCo writes it: then no single-character change passes.
        if last.value != expected {
            return Err(PayloadError::BadCrc { expected, found: last.value.clone() });
        }
        let qris = Qris { fields };
        for tag in [0, 1, 52, 53, 58, 59, 60] {
            qris.get(tag).ok_or(PayloadError::MissingTag(tag))?;
        }
        match qris.get(1) {
            Some("11") | Some("12") => {}
            Some(other) => return Err(PayloadError::BadInitiation(other.to_owned())),
            None => unreachable!("checked above"),
        }
        if !qris.fields.iter().any(|f| (26..=51).contains(&f.tag)) {
            return Err(PayloadError::NoMerchantAccount);
        }
        if qris.get(58) != Some("ID") {
            return Err(PayloadError::WrongCountry(qris.get(58).unwrap_or_default().to_owned()));
        }
        if qris.get(53) != Some("360") {
            return Err(PayloadError::WrongCurrency(qris.get(53).unwrap_or_default().to_owned()));
        }
        if let Some(amount) = qris.get(54) {
            Amount::parse_decimal(amount)
                .filter(|a| a.is_positive())
                .ok_or_else(|| PayloadError::BadAmount(amount.to_owned()))?;
        }
        Ok(qris)
    }

    /// Builds a payload from fields (without tag 63), adding the checksum.
    pub fn build(mut fields: Vec<Field>) -> Result<Qris, PayloadError> {
        fields.retain(|f| f.tag != 63);
        let mut text = write_tlv(&fields)?;
        text.push_str("6304");
        let crc = format!("{:04X}", crc16(text.as_bytes()));
        fields.push(Field { tag: 63, value: crc });
        Ok(Qris { fields })
    }

    pub fn get(&self, tag: u8) -> Option<&str> {
        self.fields.iter().find(|f| f.tag == tag).map(|f| f.value.as_str())
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    pub fn is_static(&self) -> bool {
        self.get(1) == Some("11")
    }

    pub fn merchant_name(&self) -> &str {
        self.get(59).unwrap_or_default()
    }

    pub fn merchant_city(&self) -> &str {
        self.get(60).unwrap_or_default()
    }

    /// The amount in tag 54, if any.
    pub fn amount(&self) -> Option<Amount> {
        self.get(54).and_then(Amount::parse_decimal)
    }

    /// The same merchant as a dynamic QRIS for `amount`: tag 01 = 12, tag 54 = amount,
    /// any tip fields (55–57) dropped, checksum recomputed.
    pub fn with_amount(&self, amount: Amount) -> Result<Qris, PayloadError> {
        let mut fields: Vec<Field> = self.fields.iter().filter(|f| !matches!(f.tag, 54..=57 | 63)).cloned().collect();
        for f in fields.iter_mut().filter(|f| f.tag == 1) {
            f.value = "12".to_owned();
        }
        let at = fields.iter().position(|f| f.tag > 54).unwrap_or(fields.len());
        fields.insert(at, Field { tag: 54, value: amount.to_string() });
        Qris::build(fields)
    }
}

impl fmt::Display for Qris {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every field was checked for length when parsed or built.
        f.write_str(&write_tlv(&self.fields).map_err(|_| fmt::Error)?)
    }
}

/// A sample static QRIS of a made-up merchant, for the simulator and tests.
pub fn sample_static(merchant_name: &str, city: &str, merchant_id: &str) -> Qris {
    let account = write_tlv(&[
        Field { tag: 0, value: "ID.CO.QRIS.WWW".into() },
        Field { tag: 1, value: format!("93600914{merchant_id:0>10}") },
        Field { tag: 2, value: merchant_id.to_owned() },
        Field { tag: 3, value: "UMI".into() },
    ])
    .expect("short values");
    Qris::build(vec![
        Field { tag: 0, value: "01".into() },
        Field { tag: 1, value: "11".into() },
        Field { tag: 51, value: account },
        Field { tag: 52, value: "5812".into() },
        Field { tag: 53, value: "360".into() },
        Field { tag: 58, value: "ID".into() },
        Field { tag: 59, value: merchant_name.chars().take(25).collect() },
        Field { tag: 60, value: city.chars().take(15).collect() },
        Field { tag: 61, value: "10110".into() },
    ])
    .expect("short values")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn merchant() -> impl Strategy<Value = (String, String, String)> {
        ("[A-Z][A-Z0-9 .]{0,24}", "[A-Z]{1,15}", "[0-9]{1,10}")
    }

    proptest! {
        #[test]
        fn building_then_parsing_is_the_identity((name, city, id) in merchant(), rupiah in proptest::option::of(1i64..=10_000_000)) {
            let mut q = sample_static(&name, &city, &id);
            if let Some(r) = rupiah {
                q = q.with_amount(Amount::from_rupiah(r).unwrap()).unwrap();
            }
            let text = q.to_string();
            let parsed = Qris::parse(&text).unwrap();
            prop_assert_eq!(&parsed, &q);
            prop_assert_eq!(parsed.to_string(), text);
        }

        #[test]
        fn any_single_character_change_is_caught((name, city, id) in merchant(), at in any::<prop::sample::Index>(), with in "[ -~]") {
            let text = sample_static(&name, &city, &id).with_amount(Amount::from_rupiah(25_000).unwrap()).unwrap().to_string();
            let i = at.index(text.len());
            let replacement = with.chars().next().unwrap();
            prop_assume!(text.as_bytes()[i] as char != replacement);
            let mut changed = text.clone();
            changed.replace_range(i..i + 1, &replacement.to_string());
            prop_assert!(Qris::parse(&changed).is_err(), "{} was accepted", changed);
        }
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        // CRC-16/CCITT-FALSE of "123456789" is 0x29B1 by definition of the algorithm.
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn a_built_payload_parses_and_converts_to_dynamic() {
        let s = sample_static("TOKO MAJU JAYA", "JAKARTA", "12345");
        let text = s.to_string();
        let parsed = Qris::parse(&text).unwrap();
        assert!(parsed.is_static());
        assert_eq!(parsed.merchant_name(), "TOKO MAJU JAYA");
        let dynamic = parsed.with_amount(Amount::from_rupiah(25_000).unwrap()).unwrap();
        let again = Qris::parse(&dynamic.to_string()).unwrap();
        assert_eq!(again.get(1), Some("12"));
        assert_eq!(again.get(54), Some("25000"));
        assert_eq!(again.merchant_name(), "TOKO MAJU JAYA");
    }

    #[test]
    fn broken_payloads_say_why() {
        let good = sample_static("TOKO", "BANDUNG", "1").to_string();
        let body = &good[..good.len() - 4];
        assert!(matches!(Qris::parse(&format!("{body}0000")), Err(PayloadError::BadCrc { .. })));
        assert!(matches!(Qris::parse("hello world"), Err(PayloadError::Malformed(0))));
        assert!(matches!(Qris::parse("000201"), Err(PayloadError::MissingTag(63))));
        let with = |fields: Vec<Field>| Qris::build(fields).unwrap().to_string();
        let mut fields: Vec<Field> = Qris::parse(&good).unwrap().fields().to_vec();
        fields.retain(|f| f.tag != 63);
        let swap = |tag: u8, value: &str| {
            let mut f = fields.clone();
            f.iter_mut().filter(|x| x.tag == tag).for_each(|x| x.value = value.to_owned());
            with(f)
        };
        assert_eq!(Qris::parse(&swap(58, "SG")), Err(PayloadError::WrongCountry("SG".into())));
        assert_eq!(Qris::parse(&swap(53, "840")), Err(PayloadError::WrongCurrency("840".into())));
        assert_eq!(Qris::parse(&swap(1, "13")), Err(PayloadError::BadInitiation("13".into())));
        let no_name: Vec<Field> = fields.iter().filter(|f| f.tag != 59).cloned().collect();
        assert_eq!(Qris::parse(&with(no_name)), Err(PayloadError::MissingTag(59)));
        let no_account: Vec<Field> = fields.iter().filter(|f| f.tag != 51).cloned().collect();
        assert_eq!(Qris::parse(&with(no_account)), Err(PayloadError::NoMerchantAccount));
    }
}
