#!/usr/bin/env bash
# CI for the editor side of `funnel lsp` (editors/vscode): install from the
# lock file, type-check and bundle the extension, run the TextMate grammar's
# scope assertions and its run over every shipped playbook and example, and
# package the .vsix. The Rust LSP tests run under `cargo test --workspace`.
# Then a real editor: headless Neovim (Debian's package, installed when
# missing) drives `funnel lsp` through its built-in client (editors/neovim).
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

echo "== a real editor: Neovim's built-in LSP client against funnel lsp"
cd ../..
if ! command -v nvim >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq neovim >/dev/null
  fi
fi
FUNNEL="$PWD/target/release/funnel" timeout 120 nvim --headless -u NONE -c "luafile editors/neovim/smoke.lua"
echo
