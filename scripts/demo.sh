#!/usr/bin/env bash
# The main job on embedded defaults, against simulated Pylon, helpdesk and Cord seeded with sample conversations.
#   scripts/demo.sh          sync live until Ctrl-C (add messages with the simulators' /_sim/messages to watch them travel)
#   scripts/demo.sh --once   sync the seeded conversations, print a table per link, exit 0
# DEMO_SPEED=N (default 6) compresses the documented rate limits N times, in the simulators and in the worker's budgets
# alike, so the demo takes seconds instead of minutes; DEMO_SPEED=1 runs at the real documented limits.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

once=0
case "${1:-}" in
  --once) once=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--once]" >&2; exit 2 ;;
esac
speed=${DEMO_SPEED:-6}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

if [ "${DEMO_NO_BUILD:-0}" != "1" ]; then  # the suite's own run of this script sets it: the solution is built already
  echo "building..."
  dotnet build src/Sync.Worker/Sync.Worker.csproj -nologo -v q -clp:ErrorsOnly
  dotnet build tests/Sync.Simulators/Sync.Simulators.csproj -nologo -v q -clp:ErrorsOnly
fi

work=$(mktemp -d /tmp/messagesync-demo.XXXXXX)
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pylon=$(free_port); helpdesk=$(free_port); cord=$(free_port); http=$(free_port)
rate="scaled:$speed"; [ "$speed" = "1" ] && rate="documented"
dotnet tests/Sync.Simulators/bin/Debug/net10.0/Sync.Simulators.dll \
  --pylon-url "http://127.0.0.1:$pylon" --helpdesk-url "http://127.0.0.1:$helpdesk" --cord-url "http://127.0.0.1:$cord" \
  --seed demo --rate-limits "$rate" > "$work/simulators.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do
  grep -q '^ready' "$work/simulators.log" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/simulators.log"; echo "the simulators did not start" >&2; exit 1; }
  sleep 0.2
done
grep -q '^ready' "$work/simulators.log" || { cat "$work/simulators.log"; echo "the simulators did not get ready" >&2; exit 1; }
token=$(sed -n 's/^credentials //p' "$work/simulators.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["helpdesk_agent_token"])')
echo "simulators ready: Pylon :$pylon, helpdesk :$helpdesk, Cord :$cord (rate limits $rate)"

mkdir -p data
rm -f data/demo.db data/demo.db-wal data/demo.db-shm
export SYNC_CONFIG_FILE="$root/config/appsettings.demo.json"
export Sync__State__Path="$root/data/demo.db"
export Sync__Http__Urls="http://127.0.0.1:$http"
export Sync__Pylon__BaseUrl="http://127.0.0.1:$pylon" Sync__Pylon__BudgetScale="$speed"
export Sync__Helpdesk__BaseUrl="http://127.0.0.1:$helpdesk" Sync__Helpdesk__SessionToken="$token" Sync__Helpdesk__BudgetScale="$speed"
export Sync__Cord__BaseUrl="http://127.0.0.1:$cord" Sync__Cord__BudgetScale="$speed"
worker=(dotnet src/Sync.Worker/bin/Debug/net10.0/Sync.Worker.dll)

if [ $once -eq 1 ]; then
  "${worker[@]}" backfill --create --timeout 00:05:00
  "${worker[@]}" status
  exit 0
fi

echo "worker syncing live; add a message, e.g.:"
echo "  curl -s -XPOST http://127.0.0.1:$pylon/_sim/messages -H 'content-type: application/json' -d '{\"issue_id\":\"iss_demo_1\",\"kind\":\"customer\",\"body_html\":\"<p>Any news?</p>\"}'"
echo "status: dotnet src/Sync.Worker/bin/Debug/net10.0/Sync.Worker.dll status --Sync:State:Path=$root/data/demo.db   (Ctrl-C stops)"
"${worker[@]}" run
