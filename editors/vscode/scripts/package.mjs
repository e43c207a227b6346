// Packages the extension (vsce runs `vscode:prepublish`, the esbuild bundle) as a .vsix with @vscode/vsce, using
// only packages from the npm registry (installed by `npm ci`). The bundle
// (esbuild) carries vscode-languageclient, so the package has no
// node_modules. Output: funnel-<version>.vsix in this directory.
// Install it with `code --install-extension funnel-<version>.vsix`.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const bin = (name) => path.join(dir, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, stdio: "inherit" });

const out = `funnel-${pkg.version}.vsix`;
run(bin("vsce"), ["package", "--no-dependencies", "--skip-license", "--out", out]);
const size = fs.statSync(path.join(dir, out)).size;
console.log(`packaged ${out} (${Math.round(size / 1024)} KiB)`);
