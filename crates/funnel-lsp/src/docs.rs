//! Explanations of keywords and constructs for hover, taken from the language
//! reference `docs/language.md` (built into the binary), so the editor says
//! exactly what the reference says. Each construct names the line of the
//! reference that explains it; the paragraph, bullet or table row starting
//! there is the explanation. A unit test makes sure every one is found.

const REFERENCE: &str = include_str!("../../../docs/language.md");

/// Construct → where the reference explains it (the start of a line, after a
/// leading `- ` or `| `). Several places are joined.
const PLACES: &[(&str, &[&str])] = &[
    ("playbook", &["`playbook \"NAME\"`"]),
    ("timezone", &["`timezone \"ZONE\"`"]),
    ("currency", &["`currency \"CODE\"`"]),
    ("calendar", &["A calendar declares when"]),
    ("days", &["`days` takes day names"]),
    ("hours", &["`hours FROM..TO`"]),
    ("holidays", &["`holidays` takes dates"]),
    ("lead", &["`lead { … }` declares"]),
    ("event", &["`lead { … }` declares"]),
    ("funnel", &["`NAME [TRIGGER]` declares a stage"]),
    ("on", &["`on E` —"]),
    ("when", &["`when CONDITION` —"]),
    ("lost", &["A **lost stage's** trigger"]),
    ("sla", &["`sla A -> B within D` —"]),
    ("score", &["A score is one number per lead"]),
    ("decay", &["`decay P% every D inactive` —"]),
    ("floor", &["`floor N`"]),
    ("cap", &["`cap N`"]),
    ("threshold", &["`STAGE at N`"]),
    ("once", &["`once` —"]),
    ("once per", &["`once per D` —"]),
    ("max", &["`max N per D` —"]),
    ("nurture", &["A nurture is a sequence"]),
    ("enroll", &["`enroll on E [where C]`", "`enroll when C`"]),
    ("reenroll", &["`reenroll after D` / `reenroll always`"]),
    ("exit", &["`exit on E [where C]` ends the enrollment"]),
    ("send within", &["`send within CAL`"]),
    ("send", &["**`send \"TEMPLATE\" [when C]`**"]),
    ("wait", &["**`wait D`**"]),
    ("wait until cron", &["**`wait until cron"]),
    ("wait up to", &["**`wait up to D for E"]),
    ("if", &["**`if C"]),
    ("split", &["**`split P%"]),
    ("notify", &["**`notify CHANNEL"]),
    ("set", &["**`set FIELD"]),
    ("limit", &["A frequency cap per lead"]),
    ("input", &["An input is a value supplied"]),
    ("kpi", &["`kpi NAME = FORMULA"]),
    ("count", &["`count(E)`", "`count(entered X)`"]),
    ("entered", &["`count(entered X)`"]),
    ("reached", &["`count(reached X)`"]),
    ("breached", &["`count(breached A -> B)`"]),
    ("sum", &["`sum(E.f)`, `avg(E.f)`"]),
    ("abs", &["`abs(x)`"]),
    ("round", &["`round(x)`", "`round(x, d)`"]),
    ("prev", &["`prev(K)` is KPI K one period earlier"]),
    (
        "period",
        &["`count(in X at period start)` counts the leads"],
    ),
    ("days(", &["`avg(days(A -> B))`"]),
    ("by", &["`by` keys are a period"]),
    ("target", &["`target KPI OP VALUE`"]),
    ("test", &["`funnel test` runs every test"]),
    ("expect", &["`expect [at DATETIME] EXPECTATION`"]),
    ("test at", &["`at DATETIME EVENT"]),
    ("in", &["**`in (…)`**"]),
    ("matches", &["**`matches \"REGEX\"`**"]),
    ("is", &["**`is missing` / `is present`**"]),
    ("stage", &["**`stage OP X`**"]),
    ("clicked", &["**`clicked \"t\"`**"]),
    ("business", &["A **business duration**"]),
    ("text", &["`text` |"]),
    ("number", &["`number` |"]),
    ("money", &["`money` |"]),
    ("percent", &["`percent` |"]),
    ("duration", &["`duration` |"]),
    ("date", &["`date` |"]),
    ("datetime", &["`datetime` |"]),
    ("bool", &["`bool` |"]),
    ("one of", &["`one of a \\| b \\| c`"]),
];

/// Words that are another construct's key.
fn alias(word: &str) -> &str {
    match word {
        "where" | "any" => "on",
        "within" => "sla",
        "every" | "inactive" => "decay",
        "per" => "max",
        "missing" | "present" => "is",
        "opened" => "clicked",
        "avg" | "min" => "sum",
        "start" | "end" => "period",
        "sent" | "field" => "expect",
        "after" | "never" | "always" => "reenroll",
        "cron" | "until" => "wait until cron",
        "up" | "for" => "wait up to",
        "sends" => "limit",
        "else" => "if",
        "of" | "one" => "one of",
        other => other,
    }
}

/// The explanation of construct `key` (see [`PLACES`]), if the reference has it.
pub fn explain(key: &str) -> Option<String> {
    let key = alias(key);
    let (_, places) = PLACES.iter().find(|(k, _)| *k == key)?;
    let parts: Vec<String> = places.iter().filter_map(|p| passage(p)).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The paragraph, bullet or table row of the reference starting with `start`.
fn passage(start: &str) -> Option<String> {
    let lines: Vec<&str> = REFERENCE.lines().collect();
    let (i, kind) = lines.iter().enumerate().find_map(|(i, l)| {
        let (kind, rest) = if let Some(r) = l.strip_prefix("- ") {
            ('-', r)
        } else if let Some(r) = l.strip_prefix("| ") {
            ('|', r)
        } else {
            (' ', *l)
        };
        rest.starts_with(start).then_some((i, kind))
    })?;
    if kind == '|' {
        let cells: Vec<&str> = lines[i]
            .trim_matches('|')
            .split(" | ")
            .map(str::trim)
            .collect();
        return Some(match cells.as_slice() {
            [what, meaning, ..] => format!("{} — {}", what.replace("\\|", "|"), meaning),
            _ => cells.join(" "),
        });
    }
    let mut text = lines[i].trim_start_matches("- ").to_string();
    for l in &lines[i + 1..] {
        if l.trim().is_empty() || l.starts_with("- ") || l.starts_with("```") {
            break;
        }
        text.push(' ');
        text.push_str(l.trim());
    }
    Some(text)
}

/// The construct a keyword stands for on its line: `wait` followed by `up`
/// is `wait up to`; `send within`, `once per` likewise.
pub fn construct(word: &str, next: Option<&str>) -> String {
    match (word, next) {
        ("wait", Some("up")) => "wait up to".to_string(),
        ("wait", Some("until")) => "wait until cron".to_string(),
        ("send", Some("within")) => "send within".to_string(),
        ("once", Some("per")) => "once per".to_string(),
        ("days", Some("(")) => "days(".to_string(),
        ("at", _) => "threshold".to_string(),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_construct_is_found_in_the_reference() {
        for (key, places) in PLACES {
            for p in *places {
                assert!(
                    passage(p).is_some(),
                    "`{key}`: `{p}` is not in docs/language.md"
                );
            }
        }
    }

    #[test]
    fn explanations() {
        assert_eq!(
            explain("floor").as_deref(),
            Some("`floor N` — the score never goes below N")
        );
        assert_eq!(
            explain("once").as_deref(),
            Some("`once` — at most once per lead, ever.")
        );
        let sla = explain("within").unwrap_or_default();
        assert!(sla.starts_with("`sla A -> B within D` — A and B are non-lost stages"));
        assert_eq!(explain("engagement"), None);
    }
}
