//! Property test: mutating a real playbook (deleting, inserting and
//! duplicating bytes and lines) never makes parsing or checking panic.

#![allow(clippy::unwrap_used)] // test helpers: a failed read is a failed test

use proptest::prelude::*;

const ACME: &str = include_str!("../../../tests/check/ok/acme.funnel");

#[derive(Clone, Debug)]
enum Edit {
    DeleteByte(usize),
    InsertByte(usize, u8),
    DuplicateByte(usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    const BYTES: &[u8] = b" \n\t{}()\"#%$.,:-+*/<=>|?0123456789abcdefxyz_@";
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteByte),
        (any::<usize>(), prop::sample::select(BYTES)).prop_map(|(i, b)| Edit::InsertByte(i, b)),
        any::<usize>().prop_map(Edit::DuplicateByte),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::DeleteByte(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Edit::InsertByte(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::DuplicateByte(i) if !bytes.is_empty() => {
                let b = bytes[i % n];
                bytes.insert(i % n, b);
            }
            Edit::DeleteLine(i) | Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
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
                bytes = lines.join("\n").into_bytes();
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_playbooks_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        let text = apply(ACME, &edits);
        let checked = funnel_check::check_source(&text);
        // Rendering every diagnostic must not panic either.
        let _ = funnel_check::render::render_human(&checked.diagnostics, "m.funnel", &text, false);
        prop_assert!(checked.program.is_some() || checked.errors() > 0);
    }
}
