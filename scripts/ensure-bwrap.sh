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

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install ensure-bwrap bwrap bubblewrap

if ! command -v bwrap >/dev/null 2>&1; then
  cat "$APT_LOG" >&2
  echo "ensure-bwrap: apt-get finished but bwrap is still missing" >&2
  exit 1
fi
echo "ensure-bwrap: $(bwrap --version)"
