// The browser test of `--report` (issue 17): builds the run, simulate
// (alone and with --vs) and plan reports of the shipped sample with the
// release binary, loads each in headless Chromium with the network off, and
// checks: no console errors, no page errors, no request at all besides the
// page itself; every chart drawn, titled, with axis labels and a table;
// the number of bars, points and cells of every chart, worked out here
// independently from the command's own JSON output, kpis.json,
// transitions.csv and actions.jsonl; dark mode and print layout. Saves a
// screenshot of each of the three reports and compares it loosely (same
// size, not blank, about as much ink) with the one committed under
// docs/img/ (`--update-screenshots` replaces those).
//
// Usage: node browser-test.mjs [--update-screenshots]   (from this directory;
// FUNNEL=path/to/funnel and CHROMIUM=path/to/chromium override the defaults)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const funnel = process.env.FUNNEL || join(root, "target/release/funnel");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const update = process.argv.includes("--update-screenshots");
const out = mkdtempSync(join(tmpdir(), "funnel-report-"));
const SIM_RUNS = 40;

let failures = 0;
function check(ok, what) {
  if (ok) {
    console.log(`  ok   ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL ${what}`);
  }
}
function eq(actual, expected, what) {
  check(actual === expected, `${what}: ${JSON.stringify(actual)}${actual === expected ? "" : ` (expected ${JSON.stringify(expected)})`}`);
}

function funnelCmd(args) {
  return execFileSync(funnel, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
}

const PLAYBOOK = "playbooks/saas_inbound.funnel";
const PROPOSED = "examples/changes/saas_inbound_proposed.funnel";
const DATA = ["--leads", "examples/data/leads.csv", "--events", "examples/data/events.csv"];
const SCENARIO = ["--scenario", "examples/scenarios/saas_steady_inbound.yaml", "--runs", String(SIM_RUNS)];

// ---- the reports and the facts to check them against -------------------------

const runSummary = JSON.parse(
  funnelCmd(["run", PLAYBOOK, ...DATA, "--format", "json", "--out", join(out, "run"), "--report", join(out, "run.html")]),
);
const kpisJson = JSON.parse(readFileSync(join(out, "run/kpis.json"), "utf8"));
const transitions = readFileSync(join(out, "run/transitions.csv"), "utf8").trim().split("\n");
const actions = readFileSync(join(out, "run/actions.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
// The ungrouped KPIs again, `by month`, in a copy of the playbook.
const playbookText = readFileSync(join(root, PLAYBOOK), "utf8");
const kpiNames = [...playbookText.matchAll(/^kpi\s+(\w+)/gm)].map((m) => m[1]);
const inputNames = [...playbookText.matchAll(/^input\s+(\w+)/gm)].map((m) => m[1]);
const twins = [];
for (const m of playbookText.matchAll(/^kpi\s+(\w+)\s*=\s*([^#\n]*?)\s*(?:#.*)?$/gm)) {
  const [, name, expr] = m;
  const words = new Set(expr.match(/\b\w+\b/g));
  const readsOther = [...kpiNames, ...inputNames].some((n) => words.has(n));
  if (!/\bby\b/.test(expr) && expr.includes("(") && !readsOther) twins.push(`kpi ${name}__by_month = ${expr} by month`);
}
writeFileSync(join(out, "monthly.funnel"), `${playbookText}\n${twins.join("\n")}\n`);
funnelCmd(["run", join(out, "monthly.funnel"), ...DATA, "--out", join(out, "monthly")]);
const monthlyJson = JSON.parse(readFileSync(join(out, "monthly/kpis.json"), "utf8"));
check(twins.length > 0, `the sample has ungrouped KPIs to draw by month (${twins.length})`);

const sim = JSON.parse(funnelCmd(["simulate", PLAYBOOK, ...SCENARIO, "--format", "json", "--report", join(out, "simulate.html")]));
const simVs = JSON.parse(
  funnelCmd(["simulate", PLAYBOOK, ...SCENARIO, "--vs", PROPOSED, "--format", "json", "--report", join(out, "simulate-vs.html")]),
);
const plan = JSON.parse(funnelCmd(["plan", PLAYBOOK, PROPOSED, ...DATA, "--format", "json", "--report", join(out, "plan.html")]));

// The ISO week of a local date `YYYY-MM-DD`, as `2026-W10`.
function isoWeek(date) {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  const dow = (t.getUTCDay() + 6) % 7; // Monday 0
  t.setUTCDate(t.getUTCDate() - dow + 3); // the Thursday of that week
  const year = t.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round((t - jan4) / 86400000 / 7 - ((jan4.getUTCDay() + 6) % 7 - 3) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function monthsBetween(a, b) {
  const out = [];
  let [y, m] = a.split("-").map(Number);
  const [y2, m2] = b.split("-").map(Number);
  while (y < y2 || (y === y2 && m <= m2)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return out;
}

const PERIODS = new Set(["day", "week", "month", "quarter", "year"]);
const defined = (groups) => groups.filter((g) => g.value !== null).length;

function runExpectations() {
  const e = {};
  const f = runSummary.funnel;
  e["funnel-stages"] = { bars: f.filter((s) => s.leads > 0).length + f.filter((s) => s.now > 0).length };
  e["funnel-conversion"] = { bars: f.filter((s) => s.conversion !== null).length };
  // Stage entries: one point per stage and month, every month from the first
  // transition to the last (a stage jumped over is entered at a transition's instant).
  const header = transitions[0].split(",");
  const at = header.indexOf("at");
  const months = transitions.slice(1).map((l) => l.split(",")[at].slice(0, 7)).sort();
  e["stage-entries"] = { dots: f.length * monthsBetween(months[0], months[months.length - 1]).length };
  // Each grouped KPI: a point (by a period) or a bar (other groups) per
  // defined group, reading "PERIOD · OTHER KEYS: value" as kpis.json shows it.
  const titles = (k) => {
    const p = k.by.findIndex((b) => PERIODS.has(b));
    return k.groups
      .filter((g) => g.value !== null)
      .map((g) => {
        if (p < 0) return `${g.key.join(" · ")}: ${g.display}`;
        const rest = g.key.filter((_, i) => i !== p).join(" · ");
        return `${g.key[p]}${rest ? ` · ${rest}` : ""}: ${g.display}`;
      })
      .sort();
  };
  for (const k of kpisJson.kpis) {
    if (k.groups.length === 0) continue;
    const byPeriod = k.by.some((b) => PERIODS.has(b));
    e[`kpi-${k.name}`] = { [byPeriod ? "dots" : "bars"]: defined(k.groups), targets: k.target ? 1 : 0, titles: titles(k) };
  }
  // Each ungrouped KPI that aggregates and reads no other KPI or input is
  // drawn by month: what the same formula `by month` gives, from a copy of
  // the playbook with such KPIs added, run through funnel.
  for (const k of monthlyJson.kpis) {
    if (!k.name.endsWith("__by_month")) continue;
    const name = k.name.slice(0, -"__by_month".length);
    const own = kpisJson.kpis.find((x) => x.name === name);
    e[`kpi-${name}`] = { dots: defined(k.groups), targets: own.target ? 1 : 0, titles: titles(k) };
  }
  e["sla-breaches"] = { barSum: runSummary.sla_breaches };
  const sends = actions.filter((a) => a.kind === "send");
  const pairs = new Set(sends.map((a) => `${isoWeek(a.at.slice(0, 10))} ${a.template}`));
  e["sends-per-week"] = { bars: pairs.size, barSum: sends.length };
  const inp = runSummary.input;
  e["input-rows"] = {
    bars: [inp.leads, inp.events].reduce((n, r) => n + (r.used > 0) + (r.rejected > 0), 0),
  };
  return e;
}

function simExpectations(doc) {
  const e = {};
  const stages = Object.keys(doc.result.stages_weekly_median[0]).filter((k) => k !== "week");
  const targets = new Set(doc.result.targets.map((t) => t.kpi));
  const vsKpis = new Map((doc.vs ? doc.vs.kpis : []).map((k) => [k.name, k]));
  for (const k of doc.result.kpis) {
    let runs = doc.runs - k.undefined_runs;
    if (vsKpis.has(k.name)) runs += doc.runs - vsKpis.get(k.name).undefined_runs;
    e[`kpi-${k.name}`] = { barSum: runs, targets: targets.has(k.name) ? 1 : 0, percentiles: runs > 0 ? 3 : 0 };
  }
  for (const d of doc.differences || []) e[`diff-${d.kpi}`] = { barSum: doc.runs - d.undefined_runs, percentiles: 3 };
  const vsTargets = doc.vs ? doc.vs.targets.length : 0;
  e.targets = { bars: doc.result.targets.length + vsTargets };
  // One fan chart per stage (the first playbook's, then any the other adds):
  // a point per week and playbook that has the stage, medians as in the JSON.
  const sides = [doc.result, ...(doc.vs ? [doc.vs] : [])];
  const names = (r) => Object.keys(r.stages_weekly_median[0]).filter((k) => k !== "week");
  const all = [...stages];
  if (doc.vs) for (const s of names(doc.vs)) if (!all.includes(s)) all.push(s);
  // (The JSON's stage keys are sorted by name, so charts are found by title.)
  all.forEach((stage) => {
    const having = sides.filter((r) => names(r).includes(stage));
    const weeks = Math.max(...having.map((r) => r.stages_weekly_median.length));
    const want = { dots: weeks * having.length, lines: having.length };
    if (names(doc.result).includes(stage)) {
      want.medians = doc.result.stages_weekly_median.map((row) => `${row.week} ${Number(row[stage])}`);
    }
    e[`title:${stage}: leads at the end of each week`] = want;
  });
  e["sends-per-day"] = { dots: doc.result.sends_daily.length * 2 * (doc.vs ? 2 : 1) };
  return e;
}

function planExpectations() {
  const e = {};
  e.moves = { cells: plan.moves.length };
  const stages = new Map();
  for (const x of plan.entries) {
    if (!stages.has(x.stage)) stages.set(x.stage, []);
    stages.get(x.stage).push(x);
  }
  for (const [stage, rows] of stages) {
    if (rows.every((r) => r.before === r.after)) continue;
    e[`entries-${stage}`] = { bars: rows.filter((r) => r.before > 0).length + rows.filter((r) => r.after > 0).length };
  }
  const flipped = new Set(plan.targets.map((t) => t.kpi));
  const byType = new Map();
  for (const k of plan.kpis) {
    const type = (k.after || k.before).type.replace(/ /g, "-");
    if (!byType.has(type)) byType.set(type, { bars: 0, outlined: 0 });
    const t = byType.get(type);
    for (const side of [k.before, k.after]) {
      if (side && side.value !== null) {
        t.bars += 1;
        if (flipped.has(k.name)) t.outlined += 1;
      }
    }
  }
  for (const [type, t] of byType) e[`kpis-${type}`] = t;
  const sends = plan.actions.filter((a) => a.kind === "send");
  e["sends-by-template"] = { bars: sends.filter((a) => a.added > 0).length + sends.filter((a) => a.removed > 0).length };
  e["sends-by-week"] = { bars: plan.sends_by_week.length };
  return e;
}

// ---- the browser ---------------------------------------------------------------

const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });

// What the page shows, per figure.
function inspect() {
  const figs = [];
  for (const f of document.querySelectorAll("figure.chart")) {
    const svg = f.querySelector(".plot svg.chart-svg");
    const q = (sel) => (svg ? svg.querySelectorAll(sel) : []);
    const barTitles = [...q("g.mark-bar rect")].map((r) => (r.querySelector("title") || {}).textContent || "");
    figs.push({
      id: f.id,
      empty: !!f.querySelector(".empty"),
      title: (f.querySelector("h3") || {}).textContent || "",
      svg: !!svg,
      svgLabel: svg ? svg.getAttribute("aria-label") : null,
      axisLabels: q('[aria-label$="-axis label"] text').length,
      table: !!f.querySelector("details table tbody tr"),
      bars: barTitles.length,
      titles: [...barTitles, ...[...q("g.mark-dot circle title")].map((t) => t.textContent)].sort(),
      barSum: barTitles.reduce((n, t) => {
        const m = t.match(/: (-?[\d,]+)(?: runs?)?$/);
        return n + (m ? Math.abs(Number(m[1].replace(/,/g, ""))) : 0);
      }, 0),
      outlined: [...q("g.mark-bar rect")].filter((r) => (r.getAttribute("stroke") || "none") !== "none").length,
      dots: q("g.mark-dot circle").length,
      medians: [...q("g.mark-dot circle title")].map((t) => t.textContent),
      firstSeries: (() => {
        const c = JSON.parse(document.getElementById("funnel-charts").textContent).charts[+f.dataset.chart];
        return c && c.series ? c.series[0] : null;
      })(),
      lines: q("g.mark-line path").length,
      cells: q("g.mark-cell rect").length,
      targets: q("g.rule-target line").length,
      percentiles: ["p5", "median", "p95"].reduce((n, k) => n + q(`g.rule-${k} line`).length, 0),
    });
  }
  return figs;
}

async function load(file, colorScheme = "light") {
  const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 1500 }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector('html[data-charts="ready"]', { timeout: 20000 });
  return { context, page, problems, requests: requests.filter((u) => u !== url) };
}

async function inkOf(page, png) {
  // Decode in the browser: size, share of pixels unlike the top-left one, colours.
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) ink += 1;
      if (i % 64 === 0) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { width: img.width, height: img.height, ink: ink / (d.length / 4), colours: colours.size };
  }, png.toString("base64"));
}

async function checkReport(name, file, expected, screenshot) {
  console.log(`\n${name}: ${file} (${Math.round(statSync(file).size / 1024)} KB)`);
  check(statSync(file).size < 2 * 1024 * 1024, `${name}: under 2 MB`);
  const html = readFileSync(file, "utf8");
  check(!/<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i.test(html), `${name}: no external script, style, image or frame`);
  const { context, page, problems, requests } = await load(file);
  eq(problems.join("; "), "", `${name}: console errors and failed requests`);
  eq(requests.length, 0, `${name}: requests besides the page`);
  const figs = await page.evaluate(inspect);
  const byId = new Map(figs.map((f) => [f.id, f]));
  for (const f of figs) {
    check(f.title.length > 0, `${name} ${f.id}: titled`);
    if (f.empty) continue;
    check(f.svg && f.svgLabel === f.title, `${name} ${f.id}: drawn, svg labelled with the title`);
    check(f.axisLabels >= 1 || f.id === "moves", `${name} ${f.id}: axis labels (${f.axisLabels})`);
    check(f.table, `${name} ${f.id}: a table of the numbers`);
  }
  for (const [id, want] of Object.entries(expected)) {
    const f = id.startsWith("title:") ? figs.find((x) => x.title === id.slice(6)) : byId.get(id);
    if (!f) {
      check(false, `${name} ${id}: chart present`);
      continue;
    }
    check(!f.empty, `${name} ${id}: has data`);
    for (const [k, v] of Object.entries(want)) {
      if (k === "titles") {
        eq(f.titles.join("|"), v.join("|"), `${name} ${id}: every value as kpis.json has it`);
      } else if (k === "medians") {
        // The first playbook's points: "week N: median X (…)", after "name, " with --vs.
        const first = f.medians.filter((t) => !t.includes(", week") || t.startsWith(f.firstSeries + ", "));
        const got = first.map((t) => t.match(/week (\d+): median ([\d,.]+)/)).map((m) => `${m[1]} ${Number(m[2].replace(/,/g, ""))}`);
        eq(got.join("|"), v.join("|"), `${name} ${id}: the medians are the JSON's`);
      } else {
        eq(f[k], v, `${name} ${id}: ${k}`);
      }
    }
  }
  // Light, then dark: the page follows the system; axes follow the text colour.
  const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await page.evaluate(() => ({
    bg: getComputedStyle(document.documentElement).backgroundColor,
    axis: getComputedStyle(document.querySelector(".plot svg.chart-svg")).color,
  }));
  check(light === "rgb(255, 255, 255)" && dark.bg !== light, `${name}: dark mode background (${light} → ${dark.bg})`);
  check(dark.axis !== "rgb(29, 33, 39)", `${name}: dark mode chart text (${dark.axis})`);
  const closed = await page.evaluate(
    () => [...document.querySelectorAll("details table")].filter((t) => !t.checkVisibility()).length,
  );
  check(closed > 0, `${name}: on screen the tables start closed (${closed})`);
  await page.emulateMedia({ colorScheme: "light", media: "print" });
  const print = await page.evaluate(() => ({
    nav: getComputedStyle(document.querySelector("nav")).display,
    tables: [...document.querySelectorAll("details table")].filter((t) => !t.checkVisibility()).length,
  }));
  eq(print.nav, "none", `${name}: print hides the navigation`);
  eq(print.tables, 0, `${name}: print shows every table (closed ones)`);
  await page.emulateMedia({ media: "screen" });
  if (screenshot) {
    const png = await page.screenshot({ fullPage: false });
    writeFileSync(join(out, `${screenshot}.png`), png);
    const shot = await inkOf(page, png);
    const committedPath = join(root, "docs/img", `${screenshot}.png`);
    if (update) {
      writeFileSync(committedPath, png);
      console.log(`  wrote ${committedPath}`);
    }
    const committed = await inkOf(page, readFileSync(committedPath));
    eq(`${shot.width}x${shot.height}`, `${committed.width}x${committed.height}`, `${name}: screenshot size as committed`);
    check(shot.ink > 0.04 && shot.colours > 20, `${name}: screenshot not blank (ink ${shot.ink.toFixed(3)}, ${shot.colours} colours)`);
    const ratio = shot.ink / committed.ink;
    check(ratio > 0.67 && ratio < 1.5, `${name}: about as much ink as the committed screenshot (${ratio.toFixed(2)}×)`);
  }
  await context.close();
}

try {
  await checkReport("run", join(out, "run.html"), runExpectations(), "report-run");
  await checkReport("simulate", join(out, "simulate.html"), simExpectations(sim), "report-simulate");
  await checkReport("simulate --vs", join(out, "simulate-vs.html"), simExpectations(simVs), null);
  await checkReport("plan", join(out, "plan.html"), planExpectations(), "report-plan");
} finally {
  await browser.close();
}
console.log(`\nreports and screenshots in ${out}`);
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("report: all checks passed");
