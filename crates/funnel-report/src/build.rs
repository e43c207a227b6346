//! Shared chart builders: category × series values to a bar or line chart
//! with its table, so every report fills charts the same way. A value is a
//! number for the scale and a label for people; `None` is undefined (no
//! bar or point, `undefined` in the table).

use std::collections::BTreeMap;

use crate::model::{Chart, Datum, Layout, Table};

/// One value of a chart: category, series, number and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub x: String,
    pub s: Option<String>,
    pub value: Option<f64>,
    pub label: String,
}

impl Cell {
    pub fn new(x: impl Into<String>, s: Option<&str>, value: Option<f64>, label: String) -> Cell {
        Cell {
            x: x.into(),
            s: s.map(str::to_string),
            value,
            label,
        }
    }
}

/// Fill `chart` with `cells` over `categories` (in order) and `series` (in
/// legend order; empty for one series): its data (defined values only,
/// and with `skip_zero` no zero bars) and a table with a row per category
/// and a column per series.
pub fn fill(
    mut chart: Chart,
    categories: Vec<String>,
    series: Vec<String>,
    cells: &[Cell],
    skip_zero: bool,
) -> Chart {
    let mut by: BTreeMap<(&str, &str), &Cell> = BTreeMap::new();
    for c in cells {
        by.insert((c.x.as_str(), c.s.as_deref().unwrap_or("")), c);
    }
    let cols: Vec<&str> = if series.is_empty() {
        vec![""]
    } else {
        series.iter().map(String::as_str).collect()
    };
    let mut rows = Vec::new();
    for cat in &categories {
        let mut row = vec![cat.clone()];
        for s in &cols {
            match by.get(&(cat.as_str(), *s)) {
                Some(c) => {
                    row.push(c.label.clone());
                    if let Some(v) = c.value {
                        if !(skip_zero && v == 0.0) {
                            chart
                                .data
                                .push(Datum::point(cat, v, c.s.as_deref(), c.label.clone()));
                        }
                    }
                }
                None => row.push(String::new()),
            }
        }
        rows.push(row);
    }
    let mut header = vec![chart.x.label.clone()];
    if series.is_empty() {
        header.push(chart.y.label.clone());
    } else {
        header.extend(series.iter().cloned());
    }
    chart.table = Table {
        numeric: (1..header.len()).collect(),
        header,
        rows,
    };
    chart.categories = Some(categories);
    if !series.is_empty() {
        chart.series = Some(series);
    }
    chart
}

/// Bars in `layout`, categories across (or down, `horizontal`).
pub fn bars(mut chart: Chart, layout: Layout, horizontal: bool) -> Chart {
    chart.layout = layout;
    chart.horizontal = horizontal;
    chart
}

/// Distinct series names of `cells`, sorted.
pub fn series_of(cells: &[Cell]) -> Vec<String> {
    let mut s: Vec<String> = cells.iter().filter_map(|c| c.s.clone()).collect();
    s.sort();
    s.dedup();
    s
}

/// Distinct categories of `cells`, sorted.
pub fn categories_of(cells: &[Cell]) -> Vec<String> {
    let mut s: Vec<String> = cells.iter().map(|c| c.x.clone()).collect();
    s.sort();
    s.dedup();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Axis, Kind};

    #[test]
    fn fill_keeps_defined_values_and_tabulates_all() {
        let chart = Chart::new(
            "c",
            Kind::Lines,
            "t",
            Axis::new("month", None),
            Axis::new("v", None),
        );
        let cells = vec![
            Cell::new("2026-01", Some("a"), Some(1.0), "1".into()),
            Cell::new("2026-01", Some("b"), None, "undefined".into()),
            Cell::new("2026-02", Some("b"), Some(0.0), "0".into()),
        ];
        let ch = fill(
            chart,
            categories_of(&cells),
            series_of(&cells),
            &cells,
            true,
        );
        assert_eq!(ch.data.len(), 1);
        assert_eq!(ch.table.header, ["month", "a", "b"]);
        assert_eq!(
            ch.table.rows,
            [vec!["2026-01", "1", "undefined"], vec!["2026-02", "", "0"]]
        );
        assert_eq!(
            ch.series.as_deref(),
            Some(&["a".to_string(), "b".to_string()][..])
        );
    }
}
