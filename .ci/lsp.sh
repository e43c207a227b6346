#!/usr/bin/env bash
# CI for the editor side of `funnel lsp` (editors/vscode): install from the
# lock file, type-check and bundle the extension, run the TextMate grammar's
# scope assertions and its run over every shipped playbook and example, and
# package the .vsix. The Rust LSP tests run under `cargo test --workspace`.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"

echo "== editors/vscode: npm ci"
node --version
npm ci --no-audit --no-fund
echo "== editors/vscode: type check and bundle"
npm run typecheck
npm run build
echo "== editors/vscode: grammar tests"
npm run test:grammar
echo "== editors/vscode: package the .vsix"
npm run package
rm -f ./*.vsix
