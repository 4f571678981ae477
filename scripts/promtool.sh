#!/usr/bin/env bash
# Prometheus's own tool, for the tests: `promtool check metrics` parses /metrics as Prometheus would, and
# `promtool check rules` / `promtool test rules` check config/monitoring/alerts.yml against its unit tests.
#   scripts/promtool.sh install     install Debian's prometheus package when promtool is missing (idempotent); prints its path
#   scripts/promtool.sh path        print promtool's path, or fail
set -euo pipefail

find_promtool() {
  command -v promtool 2>/dev/null || { [ -x /usr/bin/promtool ] && echo /usr/bin/promtool; } || return 1
}

install() {
  if path=$(find_promtool); then
    echo "$path"
    return 0
  fi
  echo "installing prometheus (Debian package, for promtool)..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  # The package may start a server where an init system exists; the tests only need the promtool binary.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >&2
  $sudo service prometheus stop >/dev/null 2>&1 || true
  find_promtool
}

case "${1:-}" in
  install) install ;;
  path) find_promtool ;;
  *) echo "usage: $0 install | path" >&2; exit 2 ;;
esac
