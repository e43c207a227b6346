#!/usr/bin/env bash
# CI for `--report` (issue 17): the reports of `funnel run`, `simulate` and
# `plan` on the shipped sample, loaded in headless Chromium with the network
# off (crates/funnel-report/js/browser-test.mjs says what is checked). Installs
# Debian's chromium when it is missing, installs the test's npm packages from
# the lock file, and checks that the committed charting bundle
# (crates/funnel-report/vendor/plot.min.js) is what the locked packages build.
# Needs the release binary (`cargo build --release -p funnel-cli`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true

cd crates/funnel-report/js
echo "== funnel-report/js: npm ci"
node --version
npm ci --no-audit --no-fund
echo "== the committed charting bundle is the locked packages' build"
npm run --silent vendor
git diff --exit-code -- ../vendor
echo "== the reports in headless Chromium"
npm test
