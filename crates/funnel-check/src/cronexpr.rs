//! Cron expressions as playbooks write them (`wait until cron "0 10 * * TUE"`).
//!
//! The `cron` crate wants 6 or 7 fields, seconds first; a playbook's usual
//! 5-field expression gets `0 ` prepended, so it fires at second 0. The
//! engine parses with the same function, so checker and engine agree.

/// Parse a playbook cron expression, or say why it is not one.
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, String> {
    let trimmed = expr.trim();
    let full = if trimmed.split_whitespace().count() == 5 {
        format!("0 {trimmed}")
    } else {
        trimmed.to_string()
    };
    full.parse::<cron::Schedule>()
        .map_err(|e| reason(&e.to_string(), trimmed))
}

/// The crate's error in one line.
fn reason(text: &str, expr: &str) -> String {
    let fields = expr.split_whitespace().count();
    if !(5..=7).contains(&fields) && !expr.starts_with('@') {
        return format!("expected 5 fields (minute hour day month weekday), found {fields}");
    }
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("invalid expression");
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_cron;

    #[test]
    fn five_fields_get_seconds() {
        let s = parse_cron("0 10 * * TUE").map(|s| s.source().to_string());
        assert_eq!(s.as_deref(), Ok("0 0 10 * * TUE"));
        assert!(parse_cron("0 0 10 * * Tue").is_ok());
        assert!(parse_cron("61 10 * * *").is_err());
        assert_eq!(
            parse_cron("0 10 *").err().as_deref(),
            Some("expected 5 fields (minute hour day month weekday), found 3")
        );
    }
}
