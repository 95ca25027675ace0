#!/usr/bin/env bash
# The test suite (README's test command; .ci/run runs it too):
#  1. the WhatsApp test server `wa-mock` is built;
#  2. the engine's end-to-end tests (tests/e2e) run against it, with wamux built
#     with the `mock-whatsapp` feature (the only build that accepts that server);
#  3. every other test runs on the default build, the one that ships (and refuses
#     the test server: tests/api/engine_refuses_mock.rs).
# The browser tests drive Debian's Chromium through ChromeDriver: installed here
# when missing. Arguments are a test-name filter for both runs (`... groups`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v "${CHROMEDRIVER:-chromedriver}" >/dev/null || ! [ -x "${CHROME_BIN:-/usr/bin/chromium}" ]; then
  echo "Installing Chromium and ChromeDriver for the browser tests (Debian: chromium, chromium-driver)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium chromium-driver
fi

cargo build -p wa-mock
cargo test -p wa-mock "$@"
cargo test --features mock-whatsapp --test e2e "$@"
exec cargo test "$@"
