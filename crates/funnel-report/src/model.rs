//! What a report page holds, before it becomes HTML: a title, facts about
//! the inputs, and sections of charts. A [`Chart`] carries its wording
//! (title, description, axis labels with units), its data as plain numbers
//! with preformatted labels, reference lines (targets, percentiles) and the
//! table of the numbers behind it. The page serialises every chart to JSON
//! for the browser script, which only maps a chart's kind to Observable
//! Plot marks; the tables are rendered on the server, so they read (and
//! print) without JavaScript.

use serde::Serialize;

/// The unit of an axis: how its ticks are formatted.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unit {
    /// Whole things (leads, sends, runs).
    Count,
    /// A fraction shown as a percent (`0.25` is 25%).
    Percent,
    Money {
        currency: String,
    },
    MoneyPerDay {
        currency: String,
    },
    Days,
    Number,
}

/// An axis: its label (with the unit in words) and unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Axis {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

impl Axis {
    pub fn new(label: impl Into<String>, unit: Option<Unit>) -> Axis {
        Axis {
            label: label.into(),
            unit,
        }
    }
}

/// How a chart draws its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Bars per category (`x`), one per series side by side or stacked.
    Bars,
    /// A line with a dot per point over ordered categories (periods).
    Lines,
    /// Bins (`x1`..`x2`) with a count of runs each.
    Histogram,
    /// A median line with a p5–p95 band per series over weeks.
    Fan,
    /// Cells of a matrix (`y` row, `x` column) shaded by value.
    Matrix,
}

/// Where series go in a bar chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Single,
    Grouped,
    Stacked,
}

/// What a reference line marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Target,
    P5,
    Median,
    P95,
    Zero,
}

/// A reference line across the value axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub kind: RuleKind,
    pub value: f64,
    pub label: String,
    /// Label row (0 = first), so labels of close lines do not overlap.
    pub row: u8,
}

/// One data point. Which fields are set depends on the chart's kind:
/// bars and lines `x`, `y` (and `s`); histograms `x1`, `x2`, `y`; fans `x`,
/// `lo`, `mid`, `hi`, `s`; matrices `x`, `y`, `v`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Datum {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lo: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mid: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<f64>,
    /// The value as people read it (`$12,500`, `25%`).
    pub label: String,
}

impl Datum {
    /// A bar or line point: category `x`, value `y`, series `s`.
    pub fn point(x: &str, y: f64, s: Option<&str>, label: String) -> Datum {
        Datum {
            x: Some(x.into()),
            y: Some(y.into()),
            s: s.map(str::to_string),
            label,
            ..Datum::default()
        }
    }
}

/// The numbers behind a chart, as text cells.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    pub numeric: Vec<usize>,
}

/// One chart and everything said about it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chart {
    /// The figure's HTML id (unique in the page).
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// One or two sentences: what is drawn and how to read it.
    pub description: String,
    pub x: Axis,
    pub y: Axis,
    pub data: Vec<Datum>,
    /// Category order (bars, lines, matrix columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Matrix rows, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<String>>,
    /// Series names, in legend order (`None`: a single series).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Vec<String>>,
    pub layout: Layout,
    pub horizontal: bool,
    /// Write each bar's value beside it.
    pub value_labels: bool,
    /// Categories drawn with an outline (flipped targets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<String>,
    pub rules: Vec<Rule>,
    /// The legend title of a matrix's shading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_label: Option<String>,
    /// Left margin in pixels for long category names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<u32>,
    /// The numbers, for the page (not sent to the script).
    pub table: Table,
    /// What is said instead of a plot when there is nothing to draw.
    pub empty: Option<String>,
}

impl Chart {
    /// A chart of `kind` with no data yet.
    pub fn new(id: &str, kind: Kind, title: impl Into<String>, x: Axis, y: Axis) -> Chart {
        Chart {
            id: id.to_string(),
            kind,
            title: title.into(),
            description: String::new(),
            x,
            y,
            data: Vec::new(),
            categories: None,
            rows: None,
            series: None,
            layout: Layout::Single,
            horizontal: false,
            value_labels: false,
            highlight: Vec::new(),
            rules: Vec::new(),
            value_label: None,
            margin: None,
            table: Table::default(),
            empty: None,
        }
    }

    pub fn describe(mut self, text: impl Into<String>) -> Chart {
        self.description = text.into();
        self
    }

    /// A left margin wide enough for the longest of `names` (about 7 px a
    /// character at 12 px).
    pub fn margin_for<'a>(mut self, names: impl IntoIterator<Item = &'a String>) -> Chart {
        let longest = names.into_iter().map(|n| n.chars().count()).max();
        self.margin = Some((longest.unwrap_or(8) as u32 * 7 + 24).clamp(60, 320));
        self
    }
}

/// A heading with its charts and an optional lead paragraph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// A table shown before the charts (the KPI scorecard, the input summary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
    pub charts: Vec<Chart>,
    /// Small charts two to a row.
    pub grid: bool,
}

impl Section {
    pub fn new(id: &str, title: &str) -> Section {
        Section {
            id: id.to_string(),
            title: title.to_string(),
            intro: None,
            table: None,
            charts: Vec::new(),
            grid: false,
        }
    }
}

/// A whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page {
    /// `run`, `simulate` or `plan`.
    pub command: String,
    pub title: String,
    /// Label and value lines about the inputs (files, as-of, zone).
    pub facts: Vec<(String, String)>,
    /// The headline in a sentence or two.
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}
