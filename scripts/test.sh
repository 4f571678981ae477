#!/usr/bin/env bash
# The one test command. On a fresh machine it installs what the tests need (Debian's rabbitmq-server,
# postgresql and prometheus for promtool, Node.js and the Kubernetes schemas), starts a private broker and a private PostgreSQL cluster on 127.0.0.1
# (own data folders, free ports, always stopped on exit, also after a failure), publishes the worker as the Dockerfile does, runs every
# test project and ends with the line "N passed, N failed" summed over all of them. The exit code is dotnet test's.
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Pylon]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

results="$root/TestResults/run-$(date +%Y%m%d-%H%M%S)"
broker_dir=$(mktemp -d /tmp/messagesync-rabbit.XXXXXX)
postgres_dir=$(mktemp -d /tmp/messagesync-postgres.XXXXXX)
mkdir -p "$results"

chaos_broker_dir=$(mktemp -d /tmp/messagesync-chaos-rabbit.XXXXXX)

cleanup() {
  # A worker a test started and could not stop (its test host crashed or timed out) must not outlive the run: it would
  # keep polling and writing beside the next test. Only workers built from this checkout are matched.
  pkill -KILL -f "$root/.*Sync\.Worker\.dll" 2>/dev/null || true
  scripts/rabbitmq.sh stop "$broker_dir" || true
  scripts/rabbitmq.sh stop "$chaos_broker_dir" || true
  scripts/postgres.sh stop "$postgres_dir" || true
  # Workers the chaos scenarios started and left behind if the test process itself died (listed by pid; a live one names
  # its state file under this run's results on its command line).
  if [ -f "$results/chaos/worker.pids" ]; then
    while read -r pid; do
      if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$results/chaos/"; then kill -9 "$pid" 2>/dev/null || true; fi
    done < "$results/chaos/worker.pids"
  fi
  rm -rf "$broker_dir" "$chaos_broker_dir" "$postgres_dir"
}
trap cleanup EXIT INT TERM

# Installs a server when missing and starts a private one in DIR; prints what its script's start prints (how to reach it).
start_private() {
  local name=$1 script=$2 dir=$3
  "$script" install >&2 || { echo "could not install $name" >&2; return 1; }
  "$script" start "$dir" || { echo "could not start a private $name" >&2; return 1; }
}

if ! url=$(start_private RabbitMQ scripts/rabbitmq.sh "$broker_dir") || ! pg=$(start_private PostgreSQL scripts/postgres.sh "$postgres_dir"); then
  echo "0 passed, 1 failed"
  exit 1
fi
export SYNC_TEST_RABBITMQ="$url" SYNC_TEST_POSTGRES="$pg"
# The chaos scenarios' reports (and the worker's state and log of a failed one) go beside this run's results.
export SYNC_CHAOS_RESULTS="$results/chaos" SYNC_CHAOS_BROKER_DIR="$chaos_broker_dir"

# promtool (Debian's prometheus package): the tests parse /metrics with it and run the alert rules' unit tests
# (config/monitoring/alerts.test.yml) through `promtool test rules`.
if ! promtool=$(scripts/promtool.sh install); then
  echo "could not install promtool (Debian's prometheus package)"
  echo "0 passed, 1 failed"
  exit 1
fi
export SYNC_TEST_PROMTOOL="$promtool"

# Node.js and the npm package kubernetes-models (tests/kubernetes): the tests validate config/k8s against the
# Kubernetes API's schemas with them.
if ! node=$(scripts/kubernetes-schemas.sh install); then
  echo "could not install the Kubernetes schema validator (Node.js, npm ci in tests/kubernetes)"
  echo "0 passed, 1 failed"
  exit 1
fi
export SYNC_TEST_NODE="$node"
echo "private RabbitMQ broker at ${url/guest:guest@/}, private PostgreSQL at $pg"

# A clean folder: files of an earlier publish (another runtime identifier) must not pass for this one.
rm -rf "$root/artifacts/publish"
if ! scripts/publish.sh "$root/artifacts/publish" > "$results/publish.log" 2>&1; then
  cat "$results/publish.log"
  echo "publish failed (the Dockerfile would fail the same way)"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet build MessageSync.sln -c Debug -nologo -v q -warnaserror
build=$?
if [ $build -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit $build
fi

dotnet test MessageSync.sln --no-build -nologo --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  failed=1 # a test host crashed or a project did not run: count it, never report green
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
