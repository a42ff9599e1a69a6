#!/usr/bin/env bash
# Make sure bubblewrap (bwrap) is installed: the grader (python -m labtools.grade)
# runs every submission's kernel inside it, in namespaces of its own, and refuses
# untrusted work without it. Debian's package is enough; setpriv and prlimit come
# with util-linux. Idempotent and quiet: does nothing when bwrap is already there.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi

if [ "$(uname -s)" != "Linux" ]; then
  echo "ensure-bwrap: the grading sandbox needs Linux namespaces; this is $(uname -s)." >&2
  echo "  Grade on Linux, or build a Gradescope bundle: python -m labtools.grade export-gradescope" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure-bwrap: bwrap is missing and I am not root (no sudo)." >&2
    echo "  Install it with: apt-get update && apt-get install -y bubblewrap" >&2
    exit 1
  fi
fi

echo "ensure-bwrap: installing Debian's bubblewrap with apt-get (once per machine)..."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends bubblewrap; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-bwrap: apt-get failed (output above)" >&2
  exit 1
fi

if ! command -v bwrap >/dev/null 2>&1; then
  cat "$log" >&2
  echo "ensure-bwrap: apt-get finished but bwrap is still missing" >&2
  exit 1
fi
echo "ensure-bwrap: $(bwrap --version)"
