//! KPI types as chart units: the axis unit, the words for it in an axis
//! label (`%`, the playbook's currency, `days`), and exact decimals as the
//! plain numbers a chart scale takes.

use funnel_engine::kpi::KTy;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::model::Unit;

/// The chart unit of a KPI type.
pub fn unit(ty: KTy, currency: &str) -> Unit {
    match ty {
        KTy::Number => Unit::Number,
        KTy::Percent => Unit::Percent,
        KTy::Money => Unit::Money {
            currency: currency.to_string(),
        },
        KTy::MoneyPerDay => Unit::MoneyPerDay {
            currency: currency.to_string(),
        },
        KTy::Days => Unit::Days,
    }
}

/// An axis label for a KPI: its name and the unit in words.
pub fn kpi_label(name: &str, ty: KTy, currency: &str) -> String {
    match ty {
        KTy::Number => name.to_string(),
        KTy::Percent => format!("{name} (%)"),
        KTy::Money => format!("{name} ({currency})"),
        KTy::MoneyPerDay => format!("{name} ({currency} a day)"),
        KTy::Days => format!("{name} (days)"),
    }
}

/// A unit's words alone, for an axis that holds several KPIs of one type.
pub fn unit_words(ty: KTy, currency: &str) -> String {
    match ty {
        KTy::Number => "number".to_string(),
        KTy::Percent => "%".to_string(),
        KTy::Money => currency.to_string(),
        KTy::MoneyPerDay => format!("{currency} a day"),
        KTy::Days => "days".to_string(),
    }
}

/// A decimal as a chart number (KPI values are far inside f64's range;
/// the scale only places them, labels keep the exact text).
pub fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A count as a chart number.
pub fn count(n: usize) -> f64 {
    n as f64
}

/// A fraction as a percent for people: `0.4286` → `42.9%`.
pub fn percent(d: Decimal) -> String {
    let p = (d * Decimal::ONE_HUNDRED).round_dp(1).normalize();
    format!("{p}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_unit() {
        assert_eq!(kpi_label("win_rate", KTy::Percent, "USD"), "win_rate (%)");
        assert_eq!(kpi_label("revenue", KTy::Money, "EUR"), "revenue (EUR)");
        assert_eq!(kpi_label("cycle", KTy::Days, "USD"), "cycle (days)");
        assert_eq!(kpi_label("leads", KTy::Number, "USD"), "leads");
        assert_eq!(
            unit(KTy::Money, "GBP"),
            Unit::Money {
                currency: "GBP".into()
            }
        );
    }

    #[test]
    fn percents_round_to_a_tenth() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(percent(d("0.428571")), "42.9%");
        assert_eq!(percent(d("0.25")), "25%");
        assert_eq!(percent(d("1")), "100%");
        assert_eq!(percent(d("0")), "0%");
    }
}
