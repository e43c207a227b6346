//! Calendars: day names and ranges, opening hours, holidays. Each valid
//! calendar becomes a [`CalendarInfo`] for the engine.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::{validate_datetime, Checker};
use crate::diagnostics as d;
use crate::hir::CalendarInfo;
use crate::suggest::did_you_mean;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Monday-first index of a day name (`mon` or `monday`, any case).
pub fn day_index(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    DAYS.iter()
        .position(|d| *d == lower)
        .or_else(|| LONG_DAYS.iter().position(|d| *d == lower))
}

impl<'a> Checker<'a> {
    /// Check every calendar; returns the valid ones in declaration order.
    pub fn check_calendars(&mut self) -> Vec<CalendarInfo> {
        let ast = self.ast;
        let mut out = Vec::new();
        for decl in &ast.decls {
            if let Decl::Calendar(c) = decl {
                if let Some(info) = self.calendar(c) {
                    out.push(info);
                }
            }
        }
        out
    }

    fn calendar(&mut self, c: &Calendar) -> Option<CalendarInfo> {
        let mut ok = true;
        let mut days_seen: Option<Span> = None;
        let mut hours_seen: Option<Span> = None;
        let mut days = [false; 7];
        let mut open_close = (0, 0);
        let mut holidays = Vec::new();
        for item in &c.items {
            match item {
                CalendarItem::Days(spans, span) => {
                    if let Some(first) = days_seen {
                        self.report(d::duplicate_setting("days", *span, first));
                    }
                    days_seen.get_or_insert(*span);
                    for ds in spans {
                        ok &= self.day_span(ds, &mut days);
                    }
                }
                CalendarItem::Hours(open, close, span) => {
                    if let Some(first) = hours_seen {
                        self.report(d::duplicate_setting("hours", *span, first));
                    }
                    hours_seen.get_or_insert(*span);
                    let o = self.time_of_day(open, false);
                    let cl = self.time_of_day(close, true);
                    match (o, cl) {
                        (Some(o), Some(cl)) if o < cl => open_close = (o, cl),
                        (Some(_), Some(_)) => {
                            self.report(d::invalid_hours(
                                open.span.to(close.span),
                                &hhmm(open),
                                &hhmm(close),
                            ));
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                CalendarItem::Holidays(dates, _) => {
                    for dt in dates {
                        match validate_datetime(dt) {
                            Some(diag) => {
                                self.report(diag);
                                ok = false;
                            }
                            None => holidays
                                .extend(chrono::NaiveDate::from_ymd_opt(dt.year, dt.month, dt.day)),
                        }
                    }
                }
            }
        }
        if days_seen.is_none() {
            self.report(d::incomplete_calendar(
                &c.name.name,
                c.name.span,
                "days",
                "days mon..fri",
            ));
            ok = false;
        }
        if hours_seen.is_none() {
            self.report(d::incomplete_calendar(
                &c.name.name,
                c.name.span,
                "hours",
                "hours 09:00..17:00",
            ));
            ok = false;
        }
        ok.then(|| CalendarInfo {
            name: c.name.name.clone(),
            days,
            open_minute: open_close.0,
            close_minute: open_close.1,
            holidays,
            span: c.span,
        })
    }

    fn day_span(&mut self, ds: &DaySpan, days: &mut [bool; 7]) -> bool {
        let from = self.day(&ds.from);
        let to = match &ds.to {
            Some(t) => self.day(t),
            None => from,
        };
        let (Some(f), Some(t)) = (from, to) else {
            return false;
        };
        // A range runs forward through the week and may wrap: `fri..mon` is
        // Friday, Saturday, Sunday and Monday.
        let mut d = f;
        loop {
            days[d] = true;
            if d == t {
                break;
            }
            d = (d + 1) % 7;
        }
        true
    }

    fn day(&mut self, name: &Ident) -> Option<usize> {
        let i = day_index(&name.name);
        if i.is_none() {
            let lower = name.name.to_ascii_lowercase();
            let s = did_you_mean(&lower, DAYS).or_else(|| {
                did_you_mean(&lower, LONG_DAYS)
                    .and_then(|l| LONG_DAYS.iter().position(|x| *x == l))
                    .map(|i| DAYS[i])
            });
            self.report(d::invalid_day(&name.name, name.span, s));
        }
        i
    }

    /// Minutes after midnight; `24:00` is allowed only as a closing time.
    fn time_of_day(&mut self, t: &TimeOfDay, closing: bool) -> Option<u32> {
        let end_of_day = closing && t.hour == 24 && t.minute == 0;
        if (t.hour > 23 || t.minute > 59) && !end_of_day {
            self.report(d::invalid_time(t.span, &hhmm(t)));
            return None;
        }
        Some(t.hour * 60 + t.minute)
    }
}

fn hhmm(t: &TimeOfDay) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

#[cfg(test)]
mod tests {
    use super::day_index;

    #[test]
    fn ranges_wrap_through_the_weekend() {
        let src = "playbook \"c\"\ncalendar desk {\n  days fri..mon, wed\n  hours 08:30..24:00\n  holidays 2026-12-25\n}\nevent e\nfunnel {\n  A on e\n}\nnurture n {\n  enroll on e\n  send within desk\n  send \"t\"\n}\n";
        let checked = crate::check_source(src);
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        let p = checked.program.unwrap();
        let c = &p.hir.calendars[0];
        assert_eq!(c.days, [true, false, true, false, true, true, true]);
        assert_eq!((c.open_minute, c.close_minute), (510, 1440));
        assert_eq!(c.holidays.len(), 1);
    }

    #[test]
    fn day_names() {
        assert_eq!(day_index("mon"), Some(0));
        assert_eq!(day_index("Sunday"), Some(6));
        assert_eq!(day_index("mo"), None);
    }
}
