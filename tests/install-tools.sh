#!/usr/bin/env bash
# Tools some of the harness's own tests use: headless Chromium (the HTML matrix is
# checked in a real browser), actionlint and shellcheck (the nightly workflow and its
# scripts are linted).
# Best effort: without them those tests skip and say why.
set -u
if [ "$(id -u)" = 0 ] && ! command -v chromium >/dev/null; then
  echo "test tools: installing Debian's chromium"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "test tools: chromium could not be installed; browser tests will skip"
fi
if [ "$(id -u)" = 0 ] && ! command -v shellcheck >/dev/null; then
  echo "test tools: installing Debian's shellcheck"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }; } \
    || echo "test tools: shellcheck could not be installed; actionlint will not check scripts"
fi
if ! command -v actionlint >/dev/null && [ ! -x "$HOME/go/bin/actionlint" ] && command -v go >/dev/null; then
  echo "test tools: building actionlint"
  go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7 \
    || echo "test tools: actionlint could not be built; the workflow lint will skip"
fi
exit 0
