#!/usr/bin/env bash
# Benchmarks: prints figures and writes them to bench/results/ (latest.json, latest.md and a dated .md).
# Starts a private RabbitMQ broker (the RabbitMQ pipeline figures) and, for the full run, a PostgreSQL cluster (the
# several-processes figures), as scripts/test.sh does; the broker starts while the benchmark builds.
#   scripts/bench.sh [--quick] [--processes (only the several-processes figures)] [--only=raw,pipeline,state,footprint,budget,latency,...] [--lag=10,1000-nofeed,webhook,...] [--pipeline=inmemory-100,rabbitmq-1,...]
set -uo pipefail
cd "$(dirname "$0")/.."
quick=false processes=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --processes) processes=true ;;
  esac
done
broker_dir=$(mktemp -d /tmp/messagesync-bench-rabbit.XXXXXX)
postgres_dir=$(mktemp -d /tmp/messagesync-bench-postgres.XXXXXX)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; scripts/postgres.sh stop "$postgres_dir"; rm -rf "$broker_dir" "$postgres_dir" "$broker_dir.url" "$postgres_dir.url"' EXIT INT TERM

# The broker (and PostgreSQL) start beside the build: neither is measured.
(scripts/rabbitmq.sh install && scripts/rabbitmq.sh start "$broker_dir" > "$broker_dir.url") &
infra=$!
if [ "$quick" = false ] || [ "$processes" = true ]; then
  (scripts/postgres.sh install && scripts/postgres.sh start "$postgres_dir" > "$postgres_dir.url") &
  pg_start=$!
fi
build_started=$SECONDS
if ! dotnet build -c Release bench/Sync.Bench -nologo -v quiet; then
  echo "bench: the build failed" >&2
  exit 1
fi
echo "build: $((SECONDS - build_started)) s"
if wait "$infra" && [ -s "$broker_dir.url" ]; then
  export SYNC_TEST_RABBITMQ="$(cat "$broker_dir.url")"
else
  echo "no RabbitMQ broker: the RabbitMQ pipeline figure is skipped" >&2
fi
if [ -n "${pg_start:-}" ]; then
  if wait "$pg_start" && [ -s "$postgres_dir.url" ]; then
    export SYNC_TEST_POSTGRES="$(cat "$postgres_dir.url")"
  else
    echo "no PostgreSQL: the several-processes figures are skipped" >&2
  fi
fi
dotnet bench/Sync.Bench/bin/Release/net10.0/Sync.Bench.dll "$@"
status=$?
echo "bench: ${SECONDS} s in all (build included)"
exit $status
