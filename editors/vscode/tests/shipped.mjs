// Runs the TextMate grammar over every shipped playbook and example
// (playbooks/*.funnel, examples/*.funnel) and checks what must hold on real
// files: every declaration keyword at the start of a line is scoped as one,
// every `#` comment is a comment and every string a string, no token is
// `invalid`, and every block the grammar opens is closed by the end of the
// file. Exits 1 on the first file that breaks one of these.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (s) => new oniguruma.OnigScanner(s),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => {
    const file = path.join(here, "../syntaxes/funnel.tmLanguage.json");
    return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
  },
});
const grammar = await registry.loadGrammar("source.funnel");

const DECLS = /^(playbook|timezone|currency|calendar|lead|event|funnel|score|nurture|limit|input|kpi|target|test)\b/;

/** The first position of a `#` outside a string, or -1. */
function commentStart(line) {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString && c === "\\") i++;
    else if (c === '"') inString = !inString;
    else if (c === "#" && !inString) return i;
  }
  return -1;
}

function scopesAt(tokens, col) {
  const t = tokens.find((t) => t.startIndex <= col && col < t.endIndex);
  return t ? t.scopes : [];
}

const files = ["playbooks", "examples"].flatMap((dir) =>
  fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(".funnel"))
    .sort()
    .map((f) => path.join(dir, f)),
);

let lines = 0;
let failed = 0;
for (const file of files) {
  const text = fs.readFileSync(path.join(root, file), "utf8").split("\n");
  let stack = vsctm.INITIAL;
  const problems = [];
  text.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    lines++;
    const where = `${file}:${i + 1}`;
    for (const t of r.tokens) {
      if (t.scopes.some((s) => s.startsWith("invalid"))) problems.push(`${where}: an invalid token`);
    }
    const decl = DECLS.exec(line);
    if (decl && !scopesAt(r.tokens, 0).some((s) => s.startsWith("keyword.declaration"))) {
      problems.push(`${where}: \`${decl[1]}\` is not scoped as a declaration`);
    }
    const c = commentStart(line);
    if (c >= 0 && !scopesAt(r.tokens, c).some((s) => s.startsWith("comment"))) {
      problems.push(`${where}: the comment at column ${c + 1} is not scoped as a comment`);
    }
    const q = line.indexOf('"');
    if (q >= 0 && (c < 0 || q < c) && !scopesAt(r.tokens, q).some((s) => s.startsWith("string"))) {
      problems.push(`${where}: the string at column ${q + 1} is not scoped as a string`);
    }
  });
  if (stack.depth !== 1) problems.push(`${file}: a block the grammar opened is still open at the end`);
  if (problems.length > 0) {
    failed++;
    console.error(`✖ ${file}\n  ${problems.slice(0, 10).join("\n  ")}`);
  } else {
    console.log(`✓ ${file}`);
  }
}
console.log(`${files.length - failed} passed, ${failed} failed (${lines} lines)`);
process.exit(failed > 0 ? 1 : 0);
