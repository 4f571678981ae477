#!/usr/bin/env bash
# A private RabbitMQ broker on 127.0.0.1 for tests and benchmarks (see ../shared/DEPENDENCIES.md).
#   scripts/rabbitmq.sh install          install Debian's rabbitmq-server when missing (idempotent)
#   scripts/rabbitmq.sh start DIR        start a broker with its data in DIR on free ports; prints its amqp:// URL.
#                                        Started again in the same DIR, it comes back on the same ports with its durable
#                                        queues (a broker outage in a test: stop, wait, start)
#   scripts/rabbitmq.sh stop DIR         stop the broker started in DIR (safe to call twice)
set -euo pipefail

RABBIT_BIN=/usr/lib/rabbitmq/bin

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

install() {
  if [ -x "$RABBIT_BIN/rabbitmq-server" ]; then
    return 0
  fi
  echo "installing rabbitmq-server (Debian package)..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq rabbitmq-server >&2
  # The package may start a default node where an init system exists; the tests use their own.
  $sudo service rabbitmq-server stop >/dev/null 2>&1 || true
}

# Writes DIR/env: everything the server and its CLI need to find each other, on loopback only.
write_env() {
  local dir=$1 amqp=$2 dist=$3 epmd=$4
  cat > "$dir/env" <<ENV
export HOME=/var/lib/rabbitmq
export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp
export RABBITMQ_DIST_PORT=$dist
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$epmd
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_MNESIA_BASE=$dir/mnesia
export RABBITMQ_LOG_BASE=$dir/log
export RABBITMQ_PID_FILE=$dir/rabbit.pid
export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
export RABBITMQ_AMQP_PORT=$amqp
ENV
}

as_rabbit() {
  local dir=$1; shift
  if [ "$(id -u)" -eq 0 ]; then
    su -s /bin/bash rabbitmq -c ". '$dir/env'; $*"
  else
    bash -c ". '$dir/env'; $*"
  fi
}

start() {
  local dir
  dir=$(realpath -m "$1")
  mkdir -p "$dir/mnesia" "$dir/log"
  local amqp dist epmd
  if [ -f "$dir/ports" ]; then
    read -r amqp dist epmd < "$dir/ports"
  else
    amqp=$(free_port); dist=$(free_port); epmd=$(free_port)
    echo "$amqp $dist $epmd" > "$dir/ports"
  fi
  write_env "$dir" "$amqp" "$dist" "$epmd"
  printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$amqp" > "$dir/rabbitmq.conf"
  printf '[].\n' > "$dir/enabled_plugins"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R rabbitmq:rabbitmq "$dir"
    chmod 755 "$dir"
  fi
  as_rabbit "$dir" "setsid $RABBIT_BIN/rabbitmq-server > '$dir/log/console.log' 2>&1 < /dev/null &"
  # await_startup fails at once while the node is not yet registered with epmd: ask again until it answers.
  local ready=0
  for _ in $(seq 1 60); do
    if as_rabbit "$dir" "timeout 30 $RABBIT_BIN/rabbitmqctl -n rabbit@localhost -q await_startup" >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 1
  done
  if [ $ready -ne 1 ]; then
    echo "rabbitmq did not start; last lines of its log:" >&2
    tail -n 30 "$dir/log/console.log" >&2 || true
    stop "$dir"
    return 1
  fi
  echo "amqp://guest:guest@127.0.0.1:$amqp/"
}

stop() {
  local dir
  dir=$(realpath -m "$1")
  [ -f "$dir/env" ] || return 0
  as_rabbit "$dir" "timeout 30 $RABBIT_BIN/rabbitmqctl -n rabbit@localhost -q stop '$dir/rabbit.pid'" >/dev/null 2>&1 || true
  as_rabbit "$dir" "epmd -kill" >/dev/null 2>&1 || true
  rm -f "$dir/env"
}

# rabbitmqctl against the broker of DIR (tests use it to raise and clear a resource alarm).
ctl() {
  local dir
  dir=$(realpath -m "$1")
  shift
  [ -f "$dir/env" ] || { echo "no broker running in $dir" >&2; return 1; }
  as_rabbit "$dir" "timeout 30 $RABBIT_BIN/rabbitmqctl -n rabbit@localhost -q $*"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: rabbitmq.sh start DIR}" ;;
  stop) stop "${2:?usage: rabbitmq.sh stop DIR}" ;;
  ctl) ctl "${2:?usage: rabbitmq.sh ctl DIR ARGS...}" "${@:3}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR | ctl DIR ARGS..." >&2; exit 2 ;;
esac
