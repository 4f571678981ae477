#!/usr/bin/env bash
# The Kubernetes API schemas, for the tests: tests/kubernetes/validate.js checks config/k8s against them with the npm
# package kubernetes-models (pinned in tests/kubernetes/package-lock.json). Installs Node.js and npm from Debian's
# packages when missing, then the validator's packages, each step only when needed (idempotent).
#   scripts/kubernetes-schemas.sh install     install what is missing; prints node's path
#   scripts/kubernetes-schemas.sh path        print node's path when everything is installed, or fail
set -euo pipefail
cd "$(dirname "$0")/.."
tool=tests/kubernetes

find_node() {
  command -v node 2>/dev/null || { [ -x /usr/bin/node ] && echo /usr/bin/node; } || return 1
}

# Installed when node_modules matches the lock file npm ci wrote there.
packages_installed() {
  [ -f "$tool/node_modules/.package-lock.json" ] && [ "$tool/node_modules/.package-lock.json" -nt "$tool/package-lock.json" ] \
    && [ -d "$tool/node_modules/kubernetes-models" ] && [ -d "$tool/node_modules/yaml" ]
}

install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! find_node >/dev/null || ! command -v npm >/dev/null; then
    echo "installing nodejs and npm (Debian packages, for the Kubernetes schema check)..." >&2
    $sudo apt-get update -qq >&2
    local packages=()
    find_node >/dev/null || packages+=(nodejs)
    command -v npm >/dev/null || packages+=(npm)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
  fi
  if ! packages_installed; then
    echo "installing the Kubernetes schema validator's packages (npm ci in $tool)..." >&2
    (cd "$tool" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  fi
  find_node
}

case "${1:-}" in
  install) install ;;
  path) packages_installed && find_node ;;
  *) echo "usage: $0 install | path" >&2; exit 2 ;;
esac
