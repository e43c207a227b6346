//! Fuzzing scenario YAML (issue 12): the shipped scenarios with bytes and
//! lines deleted, duplicated and swapped, and numbers replaced by extreme
//! ones (`.nan`, `.inf`, `1e300`, `-1`, huge counts), never make reading,
//! validating or estimating a scenario panic: each gives a scenario or an
//! error with a line. `FUNNEL_FUZZ_CASES` sets the number of cases
//! (default 256).

#![allow(clippy::unwrap_used)]

use funnel_sim::estimate::estimate;
use funnel_sim::Scenario;
use proptest::prelude::*;

const SAAS: &str = include_str!("../../../examples/scenarios/saas_steady_inbound.yaml");
const ENTERPRISE: &str =
    include_str!("../../../examples/scenarios/enterprise_outbound_quarter.yaml");
const PLAYBOOK: &str = include_str!("../../../playbooks/saas_inbound.funnel");

fn cases() -> u32 {
    std::env::var("FUNNEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

#[derive(Clone, Debug)]
enum Edit {
    DeleteByte(usize),
    InsertByte(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Replace the n-th number in the text.
    Number(usize, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    const BYTES: &[u8] = b" \n:-{}[],.#\"'0123456789abcxyz";
    const NUMBERS: &[&str] = &[
        ".nan",
        ".inf",
        "-.inf",
        "1e300",
        "-1",
        "0",
        "4294967296",
        "1e12",
        "99999999999",
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteByte),
        (any::<usize>(), prop::sample::select(BYTES)).prop_map(|(i, b)| Edit::InsertByte(i, b)),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), prop::sample::select(NUMBERS)).prop_map(|(i, n)| Edit::Number(i, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for e in edits {
        match *e {
            Edit::DeleteByte(i) if !s.is_empty() => {
                let i = i % s.len();
                if s.is_char_boundary(i) && s.is_char_boundary(i + 1) {
                    s.remove(i);
                }
            }
            Edit::InsertByte(i, b) => {
                let i = i % (s.len() + 1);
                if s.is_char_boundary(i) {
                    s.insert(i, char::from(b));
                }
            }
            Edit::DeleteLine(i) | Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let mut lines: Vec<&str> = s.split('\n').collect();
                let k = i % lines.len();
                match *e {
                    Edit::DeleteLine(_) => {
                        lines.remove(k);
                    }
                    Edit::DuplicateLine(_) => lines.insert(k, lines[k]),
                    Edit::SwapLines(_, j) => {
                        let j = j % lines.len();
                        lines.swap(k, j);
                    }
                    _ => {}
                }
                s = lines.join("\n");
            }
            Edit::Number(i, n) => {
                let starts: Vec<usize> = s
                    .char_indices()
                    .filter(|&(k, c)| {
                        c.is_ascii_digit()
                            && !s[..k].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.')
                    })
                    .map(|(k, _)| k)
                    .collect();
                if let Some(&k) = starts.get(i % starts.len().max(1)) {
                    let end = s[k..]
                        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                        .map_or(s.len(), |e| k + e);
                    s.replace_range(k..end, n);
                }
            }
            _ => {}
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn mutated_scenarios_never_panic(
        big in any::<bool>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let base = if big { ENTERPRISE } else { SAAS };
        let text = apply(base, &edits);
        match Scenario::from_yaml(&text) {
            Ok(s) => {
                let program = funnel_check::check_source(PLAYBOOK).program.unwrap();
                let _ = funnel_sim::validate(&s, &text, &program);
                let e = estimate(&s, 100, 2, 8);
                // A scenario that reads has non-negative rates (never NaN).
                prop_assert!(e.leads_per_run >= 0.0, "{e:?}");
            }
            Err(e) => prop_assert!(e.line >= 1),
        }
    }
}
