# Sourced by scripts/ensure-*.sh: install Debian packages with apt-get, as root or
# through sudo, quietly (apt-get's output is shown only when it fails).
#
#   apt_install TAG WHAT PACKAGE...
#
# TAG starts every message, WHAT names what is missing. Exits 1 when there is no
# way to install (not root, no sudo) or apt-get fails; on success, APT_LOG is the
# file with apt-get's output, for the caller's own check afterwards.

apt_install() {
  local tag="$1" what="$2"
  shift 2
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "$tag: $what is missing and I am not root (no sudo)." >&2
      echo "  Install it with: apt-get update && apt-get install -y $*" >&2
      exit 1
    fi
  fi
  echo "$tag: installing Debian's $* with apt-get (once per machine)..."
  APT_LOG="$(mktemp)"
  trap 'rm -f "$APT_LOG"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && \
         $sudo apt-get install -y -qq --no-install-recommends "$@"; } >"$APT_LOG" 2>&1; then
    cat "$APT_LOG" >&2
    echo "$tag: apt-get failed (output above)" >&2
    exit 1
  fi
}
