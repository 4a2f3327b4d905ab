//! Periods of whole days in WIB, as a merchant names them (`/report`, `/export`).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::i18n::Lang;

/// Asia/Jakarta (WIB): UTC+7 all year, no daylight saving.
pub fn jakarta() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset")
}

/// The longest period a report or an export covers.
pub const MAX_DAYS: i64 = 366;

/// Whole days in WIB, `from` and `to` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period was not understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("not a period")]
    Unreadable,
    #[error("the end is before the start")]
    Backwards,
    #[error("longer than {MAX_DAYS} days")]
    TooLong,
    #[error("starts after today")]
    Future,
}

/// Today's date in WIB.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&jakarta()).date_naive()
}

impl Period {
    pub fn day(day: NaiveDate) -> Period {
        Period { from: day, to: day }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn one_day(&self) -> bool {
        self.from == self.to
    }

    /// The first instant of the period.
    pub fn start(&self) -> DateTime<Utc> {
        midnight_wib(self.from)
    }

    /// The first instant after the period.
    pub fn end(&self) -> DateTime<Utc> {
        midnight_wib(self.to + Duration::days(1))
    }

    /// Reads what a merchant types after `/report` or `/export …`: nothing or `today`,
    /// `yesterday`, `week` (the last 7 days), `month` (this month so far), `last-month`,
    /// in English or Indonesian (`hari ini`, `kemarin`, `minggu`, `bulan`, `bulan lalu`);
    /// one date or `<from>..<to>` (also `s/d`, `sampai`, `–`), each date as `6/12/2026`,
    /// `6-12-2026`, `6.12.26`, `6/12` (this year), `2026-12-06` or `6 Des 2026`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Period, PeriodError> {
        let text = text.trim().to_lowercase();
        let month_start = |d: NaiveDate| d.with_day(1).expect("day 1 exists");
        let period = match text.as_str() {
            "" | "today" | "hari ini" | "hariini" | "hari-ini" => Period::day(today),
            "yesterday" | "kemarin" => Period::day(today - Duration::days(1)),
            "week" | "minggu" | "pekan" | "7d" => Period { from: today - Duration::days(6), to: today },
            "month" | "bulan" | "bulan ini" => Period { from: month_start(today), to: today },
            "last-month" | "last month" | "bulan lalu" | "bulan-lalu" => {
                let last = month_start(today) - Duration::days(1);
                Period { from: month_start(last), to: last }
            }
            _ => {
                let separators = ["..", " s/d ", " sd ", " sampai ", " to ", "–", "—", " - "];
                let (from, to) = match separators.iter().find_map(|sep| text.split_once(sep)) {
                    Some((a, b)) => (date(a, today)?, date(b, today)?),
                    None => {
                        let d = date(&text, today)?;
                        (d, d)
                    }
                };
                Period { from, to }
            }
        };
        if period.to < period.from {
            return Err(PeriodError::Backwards);
        }
        if period.from > today {
            return Err(PeriodError::Future);
        }
        if period.days() > MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(period)
    }

    /// `6 Des 2026`, `1–6 Des 2026`, `28 Nov – 6 Des 2026`, `30 Des 2025 – 6 Jan 2026`.
    pub fn label(&self, lang: Lang) -> String {
        let month = |d: NaiveDate| month_name(d.month0() as usize, lang);
        let (a, b) = (self.from, self.to);
        if a == b {
            format!("{} {} {}", a.day(), month(a), a.year())
        } else if a.year() != b.year() {
            format!("{} {} {} – {} {} {}", a.day(), month(a), a.year(), b.day(), month(b), b.year())
        } else if a.month() != b.month() {
            format!("{} {} – {} {} {}", a.day(), month(a), b.day(), month(b), b.year())
        } else {
            format!("{}–{} {} {}", a.day(), b.day(), month(b), b.year())
        }
    }

    /// For file names: `2026-12-01_2026-12-06`.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.from.format("%Y-%m-%d"), self.to.format("%Y-%m-%d"))
    }
}

fn midnight_wib(day: NaiveDate) -> DateTime<Utc> {
    jakarta().from_local_datetime(&day.and_time(NaiveTime::MIN)).single().expect("WIB has no gaps").with_timezone(&Utc)
}

const MONTHS_ID: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

pub fn month_name(month0: usize, lang: Lang) -> &'static str {
    match lang {
        Lang::Id => MONTHS_ID[month0 % 12],
        Lang::En => MONTHS_EN[month0 % 12],
    }
}

/// One date as a merchant writes it.
fn date(text: &str, today: NaiveDate) -> Result<NaiveDate, PeriodError> {
    let text = text.trim();
    let number = |s: &str| s.trim().parse::<u32>().map_err(|_| PeriodError::Unreadable);
    let year = |s: &str| -> Result<i32, PeriodError> {
        let y = number(s)? as i32;
        match s.trim().len() {
            2 => Ok(2000 + y),
            4 => Ok(y),
            _ => Err(PeriodError::Unreadable),
        }
    };
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or(PeriodError::Unreadable);
    // 2026-12-06
    if let [y, m, d] = text.split('-').collect::<Vec<_>>()[..]
        && y.len() == 4
    {
        return ymd(year(y)?, number(m)?, number(d)?);
    }
    // 6 Des 2026, 6 Desember, 6 dec 2026
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() >= 2 && words[1].chars().all(char::is_alphabetic) {
        let m = month_of(words[1]).ok_or(PeriodError::Unreadable)?;
        let y = match words.get(2) {
            Some(y) if words.len() == 3 => year(y)?,
            None => today.year(),
            _ => return Err(PeriodError::Unreadable),
        };
        return ymd(y, m, number(words[0])?);
    }
    // 6/12/2026, 6-12-2026, 6.12.26, 6/12
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    match parts[..] {
        [d, m] => ymd(today.year(), number(m)?, number(d)?),
        [d, m, y] => ymd(year(y)?, number(m)?, number(d)?),
        _ => Err(PeriodError::Unreadable),
    }
}

/// A month's number from its name or abbreviation, Indonesian or English.
fn month_of(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    let names = [
        ["jan", "januari", "january"],
        ["feb", "februari", "february"],
        ["mar", "maret", "march"],
        ["apr", "april", "april"],
        ["mei", "may", "mei"],
        ["jun", "juni", "june"],
        ["jul", "juli", "july"],
        ["agu", "agustus", "august"],
        ["sep", "september", "sept"],
        ["okt", "oktober", "october"],
        ["nov", "november", "nov"],
        ["des", "desember", "december"],
    ];
    let english_short = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    (0..12)
        .find(|&i| names[i].contains(&word.as_str()) || english_short[i] == word || word == "agt" && i == 7)
        .map(|i| i as u32 + 1)
}

/// `25 Nov 2026 15.32 WIB` (Indonesian) or `25 Nov 2026 15:32 WIB` (English).
pub fn datetime(t: &DateTime<FixedOffset>, lang: Lang) -> String {
    let local = t.with_timezone(&jakarta());
    let months_id = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
    let months_en = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month0 = chrono::Datelike::month0(&local) as usize;
    let (month, sep) = match lang {
        Lang::Id => (months_id[month0], '.'),
        Lang::En => (months_en[month0], ':'),
    };
    format!(
        "{} {month} {} {}{sep}{} WIB",
        local.format("%-d"),
        local.format("%Y"),
        local.format("%H"),
        local.format("%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || d(2026, 12, 6);

    fn p(text: &str) -> Result<Period, PeriodError> {
        Period::parse(text, TODAY())
    }

    #[test]
    fn periods_as_merchants_write_them() {
        assert_eq!(p(""), Ok(Period::day(TODAY())));
        assert_eq!(p("hari ini"), Ok(Period::day(TODAY())));
        assert_eq!(p("Kemarin"), Ok(Period::day(d(2026, 12, 5))));
        assert_eq!(p("week"), Ok(Period { from: d(2026, 11, 30), to: TODAY() }));
        assert_eq!(p("bulan"), Ok(Period { from: d(2026, 12, 1), to: TODAY() }));
        assert_eq!(p("bulan lalu"), Ok(Period { from: d(2026, 11, 1), to: d(2026, 11, 30) }));
        assert_eq!(p("1/12/2026..6/12/2026"), Ok(Period { from: d(2026, 12, 1), to: TODAY() }));
        assert_eq!(p("1-11-2026 s/d 30-11-2026"), Ok(Period { from: d(2026, 11, 1), to: d(2026, 11, 30) }));
        assert_eq!(p("28.11.26 sampai 2.12.26"), Ok(Period { from: d(2026, 11, 28), to: d(2026, 12, 2) }));
        assert_eq!(p("3/12"), Ok(Period::day(d(2026, 12, 3))));
        assert_eq!(p("2026-12-01..2026-12-03"), Ok(Period { from: d(2026, 12, 1), to: d(2026, 12, 3) }));
        assert_eq!(p("1 Des 2026 – 5 Desember 2026"), Ok(Period { from: d(2026, 12, 1), to: d(2026, 12, 5) }));
        assert_eq!(p("17 agustus 2026"), Ok(Period::day(d(2026, 8, 17))));
        assert_eq!(p("1 dec..2 dec"), Ok(Period { from: d(2026, 12, 1), to: d(2026, 12, 2) }));
    }

    #[test]
    fn bad_periods_say_why() {
        assert_eq!(p("kapan-kapan"), Err(PeriodError::Unreadable));
        assert_eq!(p("31/2/2026"), Err(PeriodError::Unreadable));
        assert_eq!(p("6/12/2026..1/12/2026"), Err(PeriodError::Backwards));
        assert_eq!(p("7/12/2026"), Err(PeriodError::Future));
        assert_eq!(p("1/1/2025..6/12/2026"), Err(PeriodError::TooLong));
        assert_eq!(p("1/12/999999"), Err(PeriodError::Unreadable));
    }

    #[test]
    fn labels_and_bounds_are_in_wib() {
        let p = Period { from: d(2026, 11, 28), to: TODAY() };
        assert_eq!(p.label(Lang::Id), "28 Nov – 6 Des 2026");
        assert_eq!(Period { from: d(2026, 12, 1), to: TODAY() }.label(Lang::En), "1–6 Dec 2026");
        assert_eq!(Period { from: d(2025, 12, 30), to: d(2026, 1, 2) }.label(Lang::Id), "30 Des 2025 – 2 Jan 2026");
        assert_eq!(Period::day(TODAY()).label(Lang::Id), "6 Des 2026");
        // Midnight WIB is 17:00 UTC the day before.
        assert_eq!(Period::day(TODAY()).start().to_rfc3339(), "2026-12-05T17:00:00+00:00");
        assert_eq!(Period::day(TODAY()).end().to_rfc3339(), "2026-12-06T17:00:00+00:00");
        assert_eq!(today("2026-12-05T17:00:00Z".parse().unwrap()), TODAY());
        assert_eq!(today("2026-12-05T16:59:59Z".parse().unwrap()), d(2026, 12, 5));
    }
}
