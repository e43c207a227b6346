// Builds ../vendor/plot.min.js, the charting library every `funnel ... --report`
// page embeds: Observable Plot (with the d3 modules it uses) as one minified
// script defining the global `Plot`, and ../vendor/LICENSES.md with the
// version and license of every package inside it. The output is committed;
// `.ci/report.sh` rebuilds it from package-lock.json and fails when it differs.
import { build } from "esbuild";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "vendor");

const result = await build({
  stdin: { contents: 'export * from "@observablehq/plot";', resolveDir: here, loader: "js" },
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plot",
  target: "es2020",
  legalComments: "none",
  metafile: true,
  write: false,
});

// Every package the bundle holds, from the files esbuild read.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (!m) continue;
  const dir = input.slice(0, input.lastIndexOf(m[m.length - 1]) + m[m.length - 1].length);
  const pkg = JSON.parse(readFileSync(join(here, dir, "package.json"), "utf8"));
  packages.set(pkg.name, { version: pkg.version, license: pkg.license, dir });
}
const names = [...packages.keys()].sort();
const plot = packages.get("@observablehq/plot");
const licenses = [...new Set(names.map((n) => packages.get(n).license))].sort().join(", ");
const banner =
  `/*! Observable Plot ${plot.version} and the ${names.length - 1} packages it uses ` +
  `(licenses: ${licenses}), bundled by crates/funnel-report/js/build-vendor.mjs ` +
  `with esbuild; versions and license texts: crates/funnel-report/vendor/LICENSES.md */\n`;
const code = result.outputFiles[0].text;
if (/<\/script/i.test(code)) throw new Error("the bundle contains `</script`: it cannot be inlined");
writeFileSync(join(vendor, "plot.min.js"), banner + code);

let md = "# Bundled in plot.min.js\n\n";
md += "Built by `crates/funnel-report/js/build-vendor.mjs` (`npm ci && npm run vendor` in that\n";
md += "directory) from the versions locked in `crates/funnel-report/js/package-lock.json`.\n\n";
md += "| package | version | license |\n|---|---|---|\n";
for (const n of names) md += `| ${n} | ${packages.get(n).version} | ${packages.get(n).license} |\n`;
md += "\n## License texts\n";
const seen = new Map();
for (const n of names) {
  const dir = join(here, packages.get(n).dir);
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`no license file in ${n}`);
  const text = readFileSync(file, "utf8").trim();
  if (!seen.has(text)) seen.set(text, []);
  seen.get(text).push(`${n} ${packages.get(n).version}`);
}
for (const [text, who] of seen) md += `\n### ${who.join(", ")}\n\n\`\`\`\n${text}\n\`\`\`\n`;
writeFileSync(join(vendor, "LICENSES.md"), md);
console.log(`vendor/plot.min.js: ${banner.length + code.length} bytes, ${names.length} packages`);
