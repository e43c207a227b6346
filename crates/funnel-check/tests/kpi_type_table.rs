//! The KPI type table in docs/language.md and the checker are the same: every
//! combination of two numeric KPI operands under `+ - * /` is checked with a
//! generated playbook, and the type the checker gives the KPI (or the type
//! error it reports) must be what the table says. A row added to the docs
//! without the checker, or a combination the checker accepts that the table
//! does not list, fails this test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;

use funnel_check::{check_source, Ty};

const TYPES: [&str; 5] = ["number", "money", "percent", "duration", "money per day"];

/// Rows of the table: (a, op, b) -> type, with `+`/`×` symmetric.
fn table() -> BTreeMap<(String, char, String), String> {
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/language.md"
    ))
    .unwrap();
    let start = docs.find("### KPI types").expect("the KPI types section");
    let section = &docs[start..];
    let end = section.find("\n---").unwrap_or(section.len());
    let mut rows = BTreeMap::new();
    for line in section[..end].lines() {
        let Some(rest) = line.strip_prefix("| ") else {
            continue;
        };
        let cells: Vec<&str> = rest.split(" | ").map(str::trim).collect();
        if cells.len() < 2 || cells[0] == "formula" || cells[0].starts_with('`') {
            continue;
        }
        let ty = cells[1]
            .trim_end_matches(" |")
            .split(" (")
            .next()
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .trim()
            .to_string();
        for formula in cells[0].split(", ") {
            let op = ['±', '×', '/'].into_iter().find(|o| formula.contains(*o));
            let Some(op) = op else { continue };
            let (a, b) = formula.split_once(op).unwrap();
            let (a, b) = (a.trim().to_string(), b.trim().to_string());
            let ops: Vec<char> = match op {
                '±' => vec!['+', '-'],
                '×' => vec!['*'],
                _ => vec!['/'],
            };
            for o in ops {
                rows.insert((a.clone(), o, b.clone()), ty.clone());
                if o != '-' && o != '/' {
                    rows.insert((b.clone(), o, a.clone()), ty.clone());
                }
            }
        }
    }
    assert!(
        rows.len() >= 30,
        "read only {} rows from the table",
        rows.len()
    );
    rows
}

/// A KPI formula with an operand of each type.
fn operand(ty: &str) -> &'static str {
    match ty {
        "number" => "count(signup)",
        "money" => "sum(deal_won.amount)",
        "percent" => "rate",
        "duration" => "avg(days(Lead -> Customer))",
        "money per day" => "velocity",
        _ => unreachable!(),
    }
}

fn checked_type(a: &str, op: char, b: &str) -> Option<Ty> {
    let text = format!(
        "playbook \"Types\"\ninput rate: percent = 10%\nevent signup\nevent deal_won {{ amount: money }}\n\
         funnel {{\n  Lead on signup\n  Customer on deal_won\n}}\n\
         kpi velocity = sum(deal_won.amount) / avg(days(Lead -> Customer))\n\
         kpi k = {} {op} {}\n",
        operand(a),
        operand(b)
    );
    let checked = check_source(&text);
    checked.program.map(|p| p.kpi("k").unwrap().ty.clone())
}

#[test]
fn the_kpi_type_table_is_the_checker() {
    let rows = table();
    let mut wrong = Vec::new();
    for a in TYPES {
        for op in ['+', '-', '*', '/'] {
            for b in TYPES {
                let want = rows.get(&(a.to_string(), op, b.to_string()));
                let got = checked_type(a, op, b).map(|t| t.to_string());
                if want.map(String::as_str) != got.as_deref() {
                    wrong.push(format!(
                        "{a} {op} {b}: docs say {want:?}, checker gives {got:?}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_ratio_with_a_bare_number_stays_a_number() {
    let text = "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signup\n}\n\
                input at_start: number = 50\n\
                kpi per_week = count(signup) / 4\nkpi churn = count(signup) / at_start\n\
                kpi smoothed = count(reached Lead) / (count(signup) + 2)\n";
    let p = check_source(text).program.unwrap();
    assert_eq!(p.kpi("per_week").unwrap().ty, Ty::Number);
    assert_eq!(p.kpi("churn").unwrap().ty, Ty::Percent);
    assert_eq!(p.kpi("smoothed").unwrap().ty, Ty::Percent);
}
