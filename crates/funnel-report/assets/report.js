// Draws the charts of a `funnel ... --report` page with Observable Plot (the
// global `Plot`, inlined before this script). The page holds every chart's
// data and wording as JSON (#funnel-charts); each <figure data-chart="N">
// gets chart N. Plot computes all the geometry; this file only maps a
// chart's kind (bars, lines, histogram, fan, matrix) to Plot marks, and
// redraws on resize and before printing. Axis and text colours follow
// `currentColor`, so light and dark mode need no redraw.
(function () {
  "use strict";

  const spec = JSON.parse(document.getElementById("funnel-charts").textContent);
  const charts = spec.charts;

  // Tick formats by unit; values arrive as plain numbers (percent as a fraction).
  function tickFormat(unit) {
    if (!unit) return undefined;
    switch (unit.kind) {
      case "percent":
        return (v) => `${+(v * 100).toFixed(1)}%`;
      case "money":
      case "money_per_day": {
        let f;
        try {
          f = new Intl.NumberFormat("en-US", {
            style: "currency",
            currency: unit.currency,
            notation: "compact",
            maximumFractionDigits: 1,
          });
        } catch (_) {
          f = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
        }
        return (v) => f.format(v);
      }
      case "count":
        return (v) => (Number.isInteger(v) ? v.toLocaleString("en-US") : "");
      default:
        return (v) => (+v.toFixed(2)).toLocaleString("en-US");
    }
  }

  const RULE_STYLE = {
    target: { stroke: "var(--target)", strokeDasharray: "6 3", strokeWidth: 2 },
    p5: { stroke: "currentColor", strokeDasharray: "2 2", strokeWidth: 1 },
    median: { stroke: "currentColor", strokeWidth: 2 },
    p95: { stroke: "currentColor", strokeDasharray: "2 2", strokeWidth: 1 },
    zero: { stroke: "currentColor", strokeWidth: 1 },
  };

  // Reference lines (targets, percentiles) across the value axis, labelled.
  function ruleMarks(rules, across) {
    const marks = [];
    for (const r of rules || []) {
      const style = RULE_STYLE[r.kind] || RULE_STYLE.zero;
      const rule = across === "x" ? Plot.ruleX : Plot.ruleY;
      marks.push(rule([r.value], { ...style, className: `rule-${r.kind}`, title: () => r.label }));
      if (r.label) {
        const at = across === "x" ? { x: () => r.value, frameAnchor: "top" } : { y: () => r.value, frameAnchor: "right" };
        marks.push(
          Plot.text([r], {
            ...at,
            text: () => r.label,
            // Above the frame, one row per rule, so close lines keep apart.
            dy: across === "x" ? -8 - 14 * (r.row || 0) : -6,
            dx: across === "x" ? 4 : 0,
            textAnchor: across === "x" ? "start" : "end",
            fill: r.kind === "target" ? "var(--target)" : "currentColor",
            className: `rule-label-${r.kind}`,
            stroke: "var(--bg)",
            strokeWidth: 3,
            paintOrder: "stroke",
          }),
        );
      }
    }
    return marks;
  }

  function colorOptions(c) {
    if (!c.series) return undefined;
    return { legend: true, domain: c.series, scheme: "observable10" };
  }

  function bars(c, width) {
    const h = !!c.horizontal;
    const value = { label: c.y.label, tickFormat: tickFormat(c.y.unit), grid: true };
    const cat = { label: c.x.label, domain: c.categories };
    const grouped = c.layout === "grouped" && c.series;
    const opts = { className: "mark-bar" };
    const tipOf = (d) => `${d.x}${d.s ? ` · ${d.s}` : ""}: ${d.label}`;
    const stroke = (d) => (c.highlight && c.highlight.includes(d.x) ? "var(--target)" : "none");
    let mark;
    let plot = {};
    if (grouped) {
      // One band per category, the series side by side inside it.
      if (h) {
        mark = Plot.barX(c.data, { ...opts, fy: "x", y: "s", x: "y", fill: "s", title: tipOf, stroke, strokeWidth: 3 });
        plot = { fy: { ...cat, domain: c.categories }, y: { axis: null, domain: c.series }, x: value };
      } else {
        mark = Plot.barY(c.data, { ...opts, fx: "x", x: "s", y: "y", fill: "s", title: tipOf, stroke, strokeWidth: 3 });
        plot = { fx: { ...cat, domain: c.categories }, x: { axis: null, domain: c.series }, y: value };
      }
    } else if (h) {
      mark = Plot.barX(c.data, { ...opts, y: "x", x: "y", fill: c.series ? "s" : "var(--bar)", title: tipOf, stroke, strokeWidth: 3 });
      plot = { y: cat, x: value };
    } else {
      mark = Plot.barY(c.data, { ...opts, x: "x", y: "y", fill: c.series ? "s" : "var(--bar)", title: tipOf, stroke, strokeWidth: 3 });
      const rotate = c.categories && c.categories.length > 8;
      plot = { x: { ...cat, tickRotate: rotate ? -45 : 0, labelOffset: rotate ? 70 : 32 }, y: value };
    }
    const labels = c.value_labels
      ? [
          (h ? Plot.textX : Plot.textY)(c.data, {
            ...(grouped ? (h ? { fy: "x", y: "s", x: "y" } : { fx: "x", x: "s", y: "y" }) : h ? { y: "x", x: "y" } : { x: "x", y: "y" }),
            text: "label",
            ...(h ? { dx: 4, textAnchor: "start" } : { dy: -6 }),
            className: "value-label",
          }),
        ]
      : [];
    const zero = h ? Plot.ruleX([0]) : Plot.ruleY([0]);
    return {
      ...plot,
      marginLeft: h ? c.margin || 120 : 60,
      marginTop: 30,
      marginBottom: !h && c.categories && c.categories.length > 8 ? 80 : 45,
      marginRight: h && c.value_labels ? 60 : 20,
      height: h ? Math.max(160, 28 * (c.categories || []).length * (grouped ? c.series.length : 1) + 60) : 320,
      color: colorOptions(c),
      marks: [mark, ...labels, zero, ...ruleMarks(c.rules, h ? "x" : "y")],
    };
  }

  function lines(c) {
    const z = c.series ? "s" : undefined;
    const stroke = c.series ? "s" : "var(--bar)";
    const cats = c.categories || [];
    // Days of a horizon (1, 2, …) go on a linear axis; periods are points.
    const numeric = cats.length > 0 && cats.every((v, i) => v === String(i + 1));
    const data = numeric ? c.data.map((d) => ({ ...d, x: Number(d.x) })) : c.data;
    const rotate = !numeric && cats.length > 12;
    return {
      x: numeric
        ? { type: "linear", label: c.x.label }
        : { type: "point", label: c.x.label, domain: cats, tickRotate: rotate ? -45 : 0, labelOffset: rotate ? 70 : 32, tickFormat: thin(cats) },
      y: { label: c.y.label, tickFormat: tickFormat(c.y.unit), grid: true },
      marginLeft: 60,
      marginTop: 30,
      marginBottom: rotate ? 80 : 45,
      height: 320,
      color: colorOptions(c),
      marks: [
        Plot.line(data, { x: "x", y: "y", z, stroke, strokeWidth: 2, className: "mark-line" }),
        Plot.dot(data, {
          x: "x",
          y: "y",
          fill: stroke,
          r: cats.length > 60 ? 1.5 : 3,
          className: "mark-dot",
          title: (d) => `${d.x}${d.s ? ` · ${d.s}` : ""}: ${d.label}`,
        }),
        ...ruleMarks(c.rules, "y"),
      ],
    };
  }

  // Long ordinal axes (days, weeks) keep every k-th label.
  function thin(categories) {
    const n = (categories || []).length;
    if (n <= 16) return undefined;
    const k = Math.ceil(n / 16);
    const keep = new Set(categories.filter((_, i) => i % k === 0));
    return (v) => (keep.has(v) ? v : "");
  }

  function histogram(c) {
    const overlay = !!c.series;
    return {
      x: { label: c.x.label, tickFormat: tickFormat(c.x.unit) },
      y: { label: c.y.label, grid: true, tickFormat: tickFormat({ kind: "count" }) },
      marginLeft: 50,
      marginRight: 70,
      marginTop: 30 + 14 * (1 + Math.max(0, ...(c.rules || []).map((r) => r.row || 0))),
      height: 300,
      color: colorOptions(c),
      marks: [
        Plot.rectY(c.data, {
          x1: "x1",
          x2: "x2",
          y: "y",
          fill: overlay ? "s" : "var(--bar)",
          fillOpacity: overlay ? 0.55 : 1,
          inset: 0.5,
          className: "mark-bar",
          title: (d) => `${d.s ? `${d.s}: ` : ""}${d.label}: ${d.y} run${d.y === 1 ? "" : "s"}`,
        }),
        Plot.ruleY([0]),
        ...ruleMarks(c.rules, "x"),
      ],
    };
  }

  function fan(c) {
    const color = c.series ? "s" : "var(--bar)";
    return {
      x: { label: c.x.label, type: "linear", tickFormat: (v) => (Number.isInteger(v) ? String(v) : "") },
      y: { label: c.y.label, grid: true, tickFormat: tickFormat(c.y.unit) },
      marginLeft: 50,
      marginTop: 30,
      height: 240,
      color: colorOptions(c),
      marks: [
        Plot.areaY(c.data, { x: "x", y1: "lo", y2: "hi", z: c.series ? "s" : undefined, fill: color, fillOpacity: 0.2, className: "mark-band" }),
        Plot.line(c.data, { x: "x", y: "mid", z: c.series ? "s" : undefined, stroke: color, strokeWidth: 2, className: "mark-line" }),
        Plot.dot(c.data, { x: "x", y: "mid", fill: color, r: 2.5, className: "mark-dot", title: "label" }),
      ],
    };
  }

  function matrix(c) {
    return {
      x: { label: c.x.label, domain: c.categories, tickRotate: c.categories.length > 5 ? -30 : 0, labelOffset: c.categories.length > 5 ? 60 : 32 },
      y: { label: c.y.label, domain: c.rows, labelAnchor: "top" },
      color: { scheme: "blues", type: "sqrt" },
      marginLeft: c.margin || 120,
      marginTop: 30,
      marginBottom: c.categories.length > 5 ? 80 : 45,
      height: 40 * c.rows.length + 100,
      width: Math.min(140 + 70 * c.categories.length, 900),
      marks: [
        Plot.cell(c.data, { x: "x", y: "y", fill: "v", inset: 1, className: "mark-cell", title: (d) => `${d.y} → ${d.x}: ${d.label}` }),
        Plot.text(c.data, { x: "x", y: "y", text: "label", fill: "var(--cell-text)", stroke: "var(--cell-halo)", strokeWidth: 3, paintOrder: "stroke", className: "cell-label" }),
      ],
    };
  }

  const KINDS = { bars, lines, histogram, fan, matrix };

  function draw(figure) {
    const c = charts[+figure.dataset.chart];
    const target = figure.querySelector(".plot");
    const width = Math.max(320, Math.floor(target.clientWidth || 720));
    const options = KINDS[c.kind](c, width);
    const svg = Plot.plot({
      width,
      ...options,
      style: { background: "transparent", color: "inherit", fontSize: "12px", overflow: "visible" },
      ariaLabel: c.title,
      ariaDescription: c.description,
    });
    // With a legend Plot returns a <figure> holding the legend and the chart.
    const main = svg.matches("svg") ? svg : svg.querySelector(":scope > svg");
    if (main) main.classList.add("chart-svg");
    target.replaceChildren(svg);
  }

  function drawAll() {
    for (const figure of document.querySelectorAll("figure[data-chart]")) {
      try {
        draw(figure);
      } catch (e) {
        figure.querySelector(".plot").textContent = `This chart could not be drawn: ${e.message}. The table below has its numbers.`;
        console.error(`chart ${figure.id}: ${e.stack || e}`);
      }
    }
    document.documentElement.dataset.charts = "ready";
  }

  drawAll();
  let timer;
  let lastWidth = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(drawAll, 150);
  });
  // Printing: open every table and fit the charts to the paper.
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details")) d.open = true;
    drawAll();
  });
  window.addEventListener("afterprint", drawAll);
})();
