//! Reading a gateway's history page by page: when what was read so far shows that the
//! rest is older than the time of interest. Used where the bot looks for a withdrawal
//! in doubt (`crate::withdrawals`) and where a report counts withdrawals made outside the
//! bot (`crate::reports`).

use chrono::{DateTime, FixedOffset, Utc};

/// What the history read so far shows of its order. Reading may stop early only when
/// every time seen was no later than the one before, at least one was earlier (the
/// gateways do not document their order, so it must be seen), and one is before
/// `since`.
pub struct HistoryOrder {
    since: DateTime<Utc>,
    previous: Option<DateTime<Utc>>,
    descending: bool,
    broken: bool,
    before_since: bool,
}

impl HistoryOrder {
    pub fn new(since: DateTime<Utc>) -> HistoryOrder {
        HistoryOrder { since, previous: None, descending: false, broken: false, before_since: false }
    }

    /// The next item's time, in the history's order.
    pub fn see(&mut self, created_at: Option<DateTime<FixedOffset>>) {
        let Some(t) = created_at.map(|t| t.with_timezone(&Utc)) else {
            self.broken = true;
            return;
        };
        match self.previous {
            Some(p) if t > p => self.broken = true,
            Some(p) if t < p => self.descending = true,
            _ => {}
        }
        self.before_since |= t < self.since;
        self.previous = Some(t);
    }

    /// Whether the rest of the history is older than `since`.
    pub fn reached_back(&self) -> bool {
        self.descending && !self.broken && self.before_since
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at(minutes_ago: i64) -> Option<DateTime<FixedOffset>> {
        Some((Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap() - Duration::minutes(minutes_ago)).fixed_offset())
    }

    fn reached(times: &[Option<DateTime<FixedOffset>>]) -> bool {
        let mut order = HistoryOrder::new(at(20).unwrap().with_timezone(&Utc));
        times.iter().for_each(|t| order.see(*t));
        order.reached_back()
    }

    #[test]
    fn a_history_is_read_to_its_end_unless_it_is_seen_newest_first_and_past_the_time() {
        assert!(reached(&[at(1), at(5), at(30)]), "newest first, past the time");
        assert!(!reached(&[at(1), at(5), at(10)]), "not past the time yet");
        assert!(!reached(&[at(30), at(5), at(1)]), "oldest first: the newest may be on the last page");
        assert!(!reached(&[at(30)]), "one item shows no order");
        assert!(!reached(&[at(30), at(30)]), "equal times show no order");
        assert!(!reached(&[at(1), None, at(30)]), "an item without a time breaks the reasoning");
        assert!(!reached(&[at(1), at(40), at(30)]), "out of order");
    }
}
