#!/usr/bin/env bash
# Benchmarks: prints figures and writes them to bench/results/ (latest.json and a dated .md).
# Starts a private RabbitMQ broker (as scripts/test.sh does) so the pipeline is measured on both transports.
#   scripts/bench.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.."
broker_dir=$(mktemp -d /tmp/messagesync-bench-rabbit.XXXXXX)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; rm -rf "$broker_dir"' EXIT INT TERM
scripts/rabbitmq.sh install
if url=$(scripts/rabbitmq.sh start "$broker_dir"); then
  export SYNC_TEST_RABBITMQ="$url"
else
  echo "no RabbitMQ broker: the RabbitMQ pipeline figure is skipped" >&2
fi
dotnet run -c Release --project bench/Sync.Bench -- "$@"
