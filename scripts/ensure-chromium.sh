#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium: the browser that the browser
# tests (tests/browser, tests/lab) drive through Playwright. Playwright's own
# browser download does not work on these machines; Debian's package does.
# Idempotent and quiet: does nothing when Chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure-chromium: /usr/bin/chromium is missing and I am not root (no sudo)." >&2
    echo "  Install it with: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium with apt-get (once per machine)..."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get failed (output above)" >&2
  exit 1
fi

if [ ! -x /usr/bin/chromium ]; then
  cat "$log" >&2
  echo "ensure-chromium: apt-get finished but /usr/bin/chromium is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
