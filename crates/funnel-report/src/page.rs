//! A [`Page`] to one self-contained HTML document: the minijinja templates
//! in `templates/`, the style, Observable Plot (`vendor/plot.min.js`, built
//! by `js/build-vendor.mjs`), the drawing script and the charts' data, all
//! inline. The data goes into a `<script type="application/json">` with
//! `<`, `>` and `&` escaped, so no value can end the script early.

use std::collections::BTreeMap;

use minijinja::value::{Serde, Value};
use minijinja::{context, Environment};

use crate::model::Page;

const PAGE: &str = include_str!("../templates/page.html");
const MACROS: &str = include_str!("../templates/macros.html");
const CSS: &str = include_str!("../assets/report.css");
const REPORT_JS: &str = include_str!("../assets/report.js");
const PLOT_JS: &str = include_str!("../vendor/plot.min.js");

/// The Observable Plot version inlined, read from the bundle's banner.
pub fn plot_version() -> &'static str {
    PLOT_JS
        .strip_prefix("/*! Observable Plot ")
        .and_then(|s| s.split(' ').next())
        .unwrap_or("")
}

/// Text escaped for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The `prose` filter: text escaped for HTML, with `backticked` parts as
/// `<code>` (descriptions quote playbook syntax that way).
fn prose(text: &str) -> Value {
    if text.matches('`').count() % 2 == 1 {
        return Value::from_safe_string(escape(text));
    }
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            out.push_str(&escape(part));
        }
    }
    Value::from_safe_string(out)
}

/// JSON safe inside a `<script>` element.
fn script_json(v: &serde_json::Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "{}".to_string());
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The charts as the script reads them: everything but the tables.
fn charts_json(page: &Page) -> (serde_json::Value, BTreeMap<String, usize>) {
    let mut charts = Vec::new();
    let mut indexes = BTreeMap::new();
    for chart in page.sections.iter().flat_map(|s| &s.charts) {
        if chart.empty.is_some() {
            continue;
        }
        let mut v = serde_json::to_value(chart).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("table");
            o.remove("empty");
        }
        indexes.insert(chart.id.clone(), charts.len());
        charts.push(v);
    }
    (serde_json::json!({ "charts": charts }), indexes)
}

/// Render `page` as HTML; `version` is funnel's, named in the footer.
pub fn render(page: &Page, version: &str) -> String {
    let mut env = Environment::new();
    env.add_filter("prose", |s: String| prose(&s));
    // The templates are ours and fixed: a failure here is a bug that the
    // crate's tests catch, so it shows as a plain page with the error.
    let loaded = env
        .add_template("page.html", PAGE)
        .and_then(|()| env.add_template("macros.html", MACROS));
    let (charts, indexes) = charts_json(page);
    let result = loaded.and_then(|()| {
        env.get_template("page.html")?.render(context! {
            page => Value::from(Serde(page)),
            version => version,
            plot_version => plot_version(),
            indexes => Value::from(Serde(&indexes)),
            css => CSS,
            plot_js => PLOT_JS,
            report_js => REPORT_JS,
            charts_json => script_json(&charts),
        })
    });
    match result {
        Ok(mut html) => {
            if !html.ends_with('\n') {
                html.push('\n');
            }
            html
        }
        Err(e) => format!(
            "<!doctype html>\n<title>report error</title>\n<p>The report could not be rendered: {}</p>\n",
            e.to_string().replace('<', "&lt;")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"label": "</script><b>&"});
        let s = script_json(&v);
        assert_eq!(s, r#"{"label":"\u003c/script\u003e\u003cb\u003e\u0026"}"#);
        let back: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(back, v);
    }

    #[test]
    fn prose_escapes_and_quotes_code() {
        assert_eq!(
            prose("as `count(entered X) by month` <counts>").to_string(),
            "as <code>count(entered X) by month</code> &lt;counts&gt;"
        );
        // An odd backtick is kept as it is.
        assert_eq!(prose("a ` b & c").to_string(), "a ` b &amp; c");
    }

    #[test]
    fn the_plot_version_comes_from_the_bundle() {
        assert_eq!(plot_version(), "0.6.17");
    }
}
