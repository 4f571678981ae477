#!/usr/bin/env bash
# Benchmarks: prints figures and writes them to bench/results/ (latest.json and a dated .md).
# Starts a private RabbitMQ broker and PostgreSQL cluster (as scripts/test.sh does) so the pipeline is measured on both
# transports and with several processes.
#   scripts/bench.sh [--quick] [--processes (only the several-processes figures)]
set -uo pipefail
cd "$(dirname "$0")/.."
broker_dir=$(mktemp -d /tmp/messagesync-bench-rabbit.XXXXXX)
postgres_dir=$(mktemp -d /tmp/messagesync-bench-postgres.XXXXXX)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; scripts/postgres.sh stop "$postgres_dir"; rm -rf "$broker_dir" "$postgres_dir"' EXIT INT TERM
scripts/rabbitmq.sh install
if url=$(scripts/rabbitmq.sh start "$broker_dir"); then
  export SYNC_TEST_RABBITMQ="$url"
else
  echo "no RabbitMQ broker: the RabbitMQ pipeline figure is skipped" >&2
fi
scripts/postgres.sh install
if pg=$(scripts/postgres.sh start "$postgres_dir"); then
  export SYNC_TEST_POSTGRES="$pg"
else
  echo "no PostgreSQL: the several-processes figures are skipped" >&2
fi
dotnet run -c Release --project bench/Sync.Bench -- "$@"
