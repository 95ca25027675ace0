#!/usr/bin/env bash
# The test suite (README's test command; .ci/run runs it too). The browser tests
# drive Debian's Chromium through ChromeDriver: installed here when missing. Any
# arguments go to `cargo test` (a filter, `--test api`, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v "${CHROMEDRIVER:-chromedriver}" >/dev/null || ! [ -x "${CHROME_BIN:-/usr/bin/chromium}" ]; then
  echo "Installing Chromium and ChromeDriver for the browser tests (Debian: chromium, chromium-driver)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium chromium-driver
fi

exec cargo test "$@"
