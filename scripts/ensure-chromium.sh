#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium: the browser that the browser
# tests (tests/browser, tests/lab) drive through Playwright. Playwright's own
# browser download does not work on these machines; Debian's package does.
# Idempotent and quiet: does nothing when Chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install ensure-chromium /usr/bin/chromium chromium fonts-dejavu-core

if [ ! -x /usr/bin/chromium ]; then
  cat "$APT_LOG" >&2
  echo "ensure-chromium: apt-get finished but /usr/bin/chromium is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
