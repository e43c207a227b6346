//! The scenario file: what synthetic leads look like and how they behave.
//!
//! A scenario is YAML read with `serde_yaml`. Shape errors (an unknown key, a
//! negative rate, a probability above 1, a bad date) are caught while
//! deserialising, so serde_yaml reports them with their line and column.
//! Names that only make sense against a playbook (events, stages, lead
//! fields) are checked afterwards by [`Scenario::validate`], which finds the
//! line of the offending key in the text.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// A scenario error with the place in the YAML file it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// Stable code: `funnel::scenario::syntax` (not YAML of the expected
    /// shape), `too_deep`, `invalid_value` (a value out of its range) or
    /// `playbook_mismatch` (a name or value the playbook does not declare).
    pub code: &'static str,
    pub line: usize,
    pub column: usize,
    /// The key path, e.g. `behaviour[2].probability`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            write!(
                f,
                "{}:{}: `{}`: {}",
                self.line, self.column, self.key, self.message
            )
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// First day of the simulation, `YYYY-MM-DD`, in the playbook's zone.
    pub start: Date,
    /// How many days to simulate.
    pub horizon_days: Positive,
    pub arrivals: Arrivals,
    /// How to draw each lead field; fields not listed stay missing.
    #[serde(default)]
    pub attributes: BTreeMap<String, Draw>,
    /// What leads do, and when.
    #[serde(default)]
    pub behaviour: Vec<Behaviour>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrivals {
    /// Mean number of new leads per `per` (a Poisson process).
    pub rate: NonNegative,
    #[serde(default)]
    pub per: Per,
    /// Optional split of arrivals by source: weights, written to `source_field`.
    #[serde(default)]
    pub sources: BTreeMap<String, NonNegative>,
    /// Exactly `rate` leads each period (rounded), evenly spaced, instead of
    /// a Poisson count at random instants: for deterministic scenarios.
    #[serde(default)]
    pub exact: bool,
    /// The lead field that receives the source; `source` by default.
    #[serde(default = "default_source_field")]
    pub source_field: String,
}

fn default_source_field() -> String {
    "source".to_string()
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    #[default]
    Day,
    Week,
}

impl Per {
    pub fn days(self) -> f64 {
        match self {
            Per::Day => 1.0,
            Per::Week => 7.0,
        }
    }
}

/// How to draw one value. Exactly one of the keys is given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Categorical: value → relative weight (`{n}` in a value is the lead's number).
    pub weights: Option<BTreeMap<String, NonNegative>>,
    /// Normal distribution, clamped to `[min, max]` when given.
    pub normal: Option<Normal>,
    /// Uniform on `[min, max]`.
    pub uniform: Option<Range>,
    /// Always this value.
    pub constant: Option<String>,
    /// Text with `{n}` replaced by the lead's number, e.g. `lead{n}@example.com`.
    pub template: Option<String>,
    /// Copy the triggering value: after `send`, the template sent; after
    /// `event X`, X's field of the same name (an open's template for a click).
    #[serde(default)]
    pub from_trigger: bool,
    /// Probability that the value is missing instead (optional fields).
    pub missing: Option<Probability>,
    /// Round numbers to whole units.
    #[serde(default)]
    pub round: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normal {
    pub mean: f64,
    pub sd: NonNegative,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// One behaviour: after a trigger, with a probability and a delay, the lead
/// emits an event.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub event: String,
    /// `arrival`, `event NAME`, `send`, `send TEMPLATE` or `stage NAME`.
    pub after: After,
    pub probability: Probability,
    /// Delay after the trigger, in days.
    #[serde(default)]
    pub delay_days: Delay,
    /// Only if the lead is in one of these stages when the event is due.
    #[serde(default)]
    pub only_in: Vec<String>,
    /// How to draw the event's fields.
    #[serde(default)]
    pub fields: BTreeMap<String, Draw>,
}

/// What starts a behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum After {
    Arrival,
    Event(String),
    Send(Option<String>),
    Stage(String),
}

impl<'de> Deserialize<'de> for After {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut words = s.split_whitespace();
        let head = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let one = |what: &str| -> Result<String, D::Error> {
            match rest.as_slice() {
                [name] => Ok((*name).to_string()),
                _ => Err(de::Error::custom(format!(
                    "`after: {head}` needs one {what} name, as in `{head} NAME`"
                ))),
            }
        };
        match head {
            "arrival" if rest.is_empty() => Ok(After::Arrival),
            "event" => Ok(After::Event(one("event")?)),
            "stage" => Ok(After::Stage(one("stage")?)),
            "send" if rest.is_empty() => Ok(After::Send(None)),
            "send" => Ok(After::Send(Some(one("template")?))),
            _ => Err(de::Error::custom(format!(
                "unknown trigger `{s}`; expected `arrival`, `event NAME`, `send`, `send TEMPLATE` or `stage NAME`"
            ))),
        }
    }
}

/// A delay in days: a fixed number, `{min, max}` uniform, or `{mean}` exponential.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Delay {
    #[default]
    None,
    Fixed(f64),
    Uniform(f64, f64),
    Exponential(f64),
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Parts {
            min: Option<f64>,
            max: Option<f64>,
            mean: Option<f64>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Fixed(f64),
            Parts(Parts),
        }
        let raw = Raw::deserialize(d).map_err(|_| {
            de::Error::custom("a delay is a number of days, `{min: A, max: B}` or `{mean: M}`")
        })?;
        let neg = |x: f64| x < 0.0 || !x.is_finite();
        match raw {
            Raw::Fixed(x) if neg(x) => Err(de::Error::custom("a delay cannot be negative")),
            Raw::Fixed(x) => Ok(Delay::Fixed(x)),
            Raw::Parts(Parts {
                min: Some(a),
                max: Some(b),
                mean: None,
            }) => {
                if neg(a) || neg(b) || b < a {
                    Err(de::Error::custom(
                        "a delay range needs 0 <= min <= max (in days)",
                    ))
                } else {
                    Ok(Delay::Uniform(a, b))
                }
            }
            Raw::Parts(Parts {
                min: None,
                max: None,
                mean: Some(m),
            }) => {
                if neg(m) {
                    Err(de::Error::custom("a delay's mean cannot be negative"))
                } else {
                    Ok(Delay::Exponential(m))
                }
            }
            Raw::Parts(_) => Err(de::Error::custom(
                "a delay is either `{min: A, max: B}` or `{mean: M}`",
            )),
        }
    }
}

/// A probability in `[0, 1]` (checked with its key path by `check_values`).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Probability(pub f64);

/// A number that is zero or more (checked with its key path by `check_values`).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct NonNegative(pub f64);

/// A whole number of days above zero (checked with its key path by `check_values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Positive(pub u32);

/// A calendar date `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| de::Error::custom(format!("`{s}` is not a date; write YYYY-MM-DD")))
    }
}

impl Scenario {
    /// Read a scenario from YAML text; shape errors carry line and column.
    pub fn from_yaml(text: &str) -> Result<Scenario, ScenarioError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(line) = funnel_data::yaml_too_deep(text) {
            return Err(ScenarioError {
                code: "funnel::scenario::too_deep",
                line,
                column: 1,
                key: String::new(),
                message: format!(
                    "the value is nested more than {} levels deep",
                    funnel_data::YAML_MAX_DEPTH
                ),
            });
        }
        let scenario: Scenario = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = e.to_string();
            // serde_yaml appends " at line L column C"; the location is shown already.
            let message = match message.find(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            ScenarioError {
                code: "funnel::scenario::syntax",
                line,
                column,
                key: String::new(),
                message,
            }
        })?;
        scenario.check_values(text)?;
        Ok(scenario)
    }

    /// Ranges (rates, weights, probabilities) and that each draw names
    /// exactly one distribution; the first problem in file order wins.
    fn check_values(&self, text: &str) -> Result<(), ScenarioError> {
        let mut problems = Vec::new();
        if self.horizon_days.0 == 0 {
            problems.push(locate(
                text,
                "horizon_days",
                "must be at least 1 day".to_string(),
            ));
        }
        nonneg(text, "arrivals.rate", self.arrivals.rate, &mut problems);
        for (k, w) in &self.arrivals.sources {
            nonneg(text, &format!("arrivals.sources.{k}"), *w, &mut problems);
        }
        for (i, b) in self.behaviour.iter().enumerate() {
            let p = b.probability.0;
            if !(0.0..=1.0).contains(&p) {
                problems.push(locate(
                    text,
                    &format!("behaviour[{i}].probability"),
                    format!("probability {p} is outside 0..1; write e.g. 0.25 for 25%"),
                ));
            }
        }
        if let Some(first) = problems.into_iter().min_by_key(|e| (e.line, e.column)) {
            return Err(first);
        }
        for (name, d) in &self.attributes {
            check_draw(d, text, &format!("attributes.{name}"))?;
        }
        for (i, b) in self.behaviour.iter().enumerate() {
            for (name, d) in &b.fields {
                check_draw(d, text, &format!("behaviour[{i}].fields.{name}"))?;
            }
        }
        Ok(())
    }
}

fn nonneg(text: &str, key: &str, x: NonNegative, problems: &mut Vec<ScenarioError>) {
    if let Some(why) = not_finite(x.0) {
        problems.push(locate(text, key, why));
    } else if x.0 < 0.0 {
        problems.push(locate(
            text,
            key,
            format!("{} is negative; use 0 or more", x.0),
        ));
    }
}

/// What is wrong with a number that is not finite (`.nan`, `.inf`).
fn not_finite(x: f64) -> Option<String> {
    if x.is_nan() {
        Some("NaN is not a number; write a number such as 0.5".to_string())
    } else if x.is_infinite() {
        Some(format!(
            "{x} is not a finite number; write a number such as 100"
        ))
    } else {
        None
    }
}

fn check_draw(d: &Draw, text: &str, key: &str) -> Result<(), ScenarioError> {
    let mut problems = Vec::new();
    if let Some(w) = &d.weights {
        for (k, x) in w {
            nonneg(text, &format!("{key}.weights.{k}"), *x, &mut problems);
        }
    }
    if let Some(m) = d.missing {
        if !(0.0..=1.0).contains(&m.0) {
            problems.push(locate(
                text,
                &format!("{key}.missing"),
                format!("probability {} is outside 0..1", m.0),
            ));
        }
    }
    if let Some(n) = &d.normal {
        nonneg(text, &format!("{key}.normal"), n.sd, &mut problems);
        for x in [Some(n.mean), n.min, n.max].into_iter().flatten() {
            if let Some(why) = not_finite(x) {
                problems.push(locate(text, &format!("{key}.normal"), why));
            }
        }
    }
    if let Some(r) = &d.uniform {
        for x in [r.min, r.max] {
            if let Some(why) = not_finite(x) {
                problems.push(locate(text, &format!("{key}.uniform"), why));
            }
        }
    }
    if let Some(first) = problems.into_iter().next() {
        return Err(first);
    }
    let given = [
        d.weights.is_some(),
        d.normal.is_some(),
        d.uniform.is_some(),
        d.constant.is_some(),
        d.template.is_some(),
        d.from_trigger,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let problem = if given != 1 {
        Some("give exactly one of `weights`, `normal`, `uniform`, `constant`, `template`, `from_trigger`")
    } else if d
        .weights
        .as_ref()
        .is_some_and(|w| w.values().all(|x| x.0 == 0.0))
    {
        Some("`weights` need at least one value with a weight above 0")
    } else if d.uniform.as_ref().is_some_and(|r| r.max < r.min) {
        Some("`uniform` needs min <= max")
    } else if d
        .normal
        .as_ref()
        .is_some_and(|n| matches!((n.min, n.max), (Some(lo), Some(hi)) if hi < lo))
    {
        Some("`normal` needs min <= max")
    } else {
        None
    };
    match problem {
        Some(p) => Err(locate(text, key, p.to_string())),
        None => Ok(()),
    }
}

/// Build an error for the key path `key` (`attributes.industry`,
/// `behaviour[2].probability`), pointing at the line where it is written.
pub fn locate(text: &str, key: &str, message: String) -> ScenarioError {
    let (line, column) = find_key(text, key).unwrap_or((1, 1));
    ScenarioError {
        code: "funnel::scenario::invalid_value",
        line,
        column,
        key: key.to_string(),
        message,
    }
}

/// Line and column (1-based) of a dotted key path with `[i]` list indices.
fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    // (first line, end line, indentation of keys) of the current mapping.
    let (mut from, mut to, mut level) = (0usize, lines.len(), 0usize);
    let mut found = None;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let at = (from..to).find(|&i| {
            let l = lines[i];
            let t = l.trim_start().trim_start_matches("- ");
            let lvl = if l.trim_start().starts_with("- ") {
                indent(l) + 2
            } else {
                indent(l)
            };
            lvl == level
                && t.strip_prefix(name)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
        });
        // A key inside an inline `{ … }` mapping has no line of its own:
        // point at the deepest key that has one.
        let Some(at) = at else {
            return found;
        };
        let key_level = level;
        found = Some((at + 1, key_level + 1));
        // The mapping under this key: the following lines indented deeper.
        let end = (at + 1..to)
            .find(|&i| {
                !lines[i].trim().is_empty()
                    && indent(lines[i]) <= key_level
                    && !lines[i].trim_start().starts_with('#')
            })
            .unwrap_or(to);
        from = at + 1;
        to = end;
        level = (from..to)
            .find(|&i| !lines[i].trim().is_empty() && !lines[i].trim_start().starts_with('#'))
            .map_or(key_level + 2, |i| indent(lines[i]));
        if let Some(n) = index {
            // List items start with `- ` at `level`.
            let items: Vec<usize> = (from..to)
                .filter(|&i| indent(lines[i]) == level && lines[i].trim_start().starts_with("- "))
                .collect();
            let Some(&start) = items.get(n) else {
                return found;
            };
            let end = items.get(n + 1).copied().unwrap_or(to);
            found = Some((start + 1, level + 1));
            from = start;
            to = end;
            level += 2;
        }
    }
    found
}
