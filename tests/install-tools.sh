#!/usr/bin/env bash
# Tools some of the harness's own tests use: headless Chromium (the HTML pages are checked in a
# real browser), actionlint and shellcheck (the nightly workflow and its scripts are linted).
# Outside CI this is best effort: without a tool its tests skip and say why. Under CI (CI set)
# a tool that is missing and cannot be installed fails the script, in one line naming it (and
# the tests that need it fail too, rather than skip).
set -u
missing=()
have() { command -v "$1" >/dev/null; }
apt_install() {  # apt_install PACKAGE: as root, from Debian
  [ "$(id -u)" = 0 ] || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; }
}
if ! have chromium && ! have chromium-browser; then
  echo "test tools: installing Debian's chromium"
  { apt_install chromium && { have chromium || have chromium-browser; }; } \
    || missing+=("chromium (apt-get install chromium, as root)")
fi
if ! have shellcheck; then
  echo "test tools: installing Debian's shellcheck"
  { apt_install shellcheck && have shellcheck; } || missing+=("shellcheck (apt-get install shellcheck, as root)")
fi
if ! have actionlint && [ ! -x "${GOPATH:-$HOME/go}/bin/actionlint" ]; then
  echo "test tools: building actionlint"
  { have go && go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7; } \
    || missing+=("actionlint (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7)")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  joined=$(printf '%s; ' "${missing[@]}")
  if [ -n "${CI:-}" ]; then
    echo "test tools: CI needs, and could not install: ${joined%; }" >&2
    exit 1
  fi
  echo "test tools: not installed (their tests will skip): ${joined%; }"
fi
exit 0
