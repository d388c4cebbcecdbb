#!/usr/bin/env bash
# Starts, stops and reports the four services as background processes on 127.0.0.1 (their APIs on
# 8081-8084, the extra processes of two of them on 8092-8093, see below), each under a supervisor that starts it again when it dies (back-off 1 s doubling to 30 s,
# reset after a minute of running), as Kubernetes restarts a pod; `status` shows the restarts.
#   deploy/local/services.sh up|down|status
# Needs the stack (deploy/local/stack.sh up) and the virtualenv (make setup). Logs and pid files live
# under the stack's state directory, which `make clean` removes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${CSTATUS_STACK_DIR:-$root/.stack}"
python="${PYTHON:-$root/.venv/bin/python}"
run_dir="$state/services"
log_dir="$state/logs"

# The processes, name:module:port:settings. Two services run more than one process (as replicas
# do on Kubernetes; issue 13): the rules engine two consumers of its group, sharing the input
# partitions over both cores; assignment one process that serves the API and checks but joins no
# group (CSTATUS_ASSIGNMENT_CONSUME=false), so a check never waits behind a batch, and one worker
# that consumes. CSTATUS_LOCAL_PROCESSES=single runs one process per service instead.
if [[ "${CSTATUS_LOCAL_PROCESSES:-split}" == "single" ]]; then
  services=(
    "status-config:cstatus.status_config:${CSTATUS_STATUS_CONFIG_HTTP_PORT:-8081}:"
    "assignment:cstatus.assignment:${CSTATUS_ASSIGNMENT_HTTP_PORT:-8082}:"
    "rules-engine:cstatus.rules_engine:${CSTATUS_RULES_ENGINE_HTTP_PORT:-8083}:"
    "audit:cstatus.audit:${CSTATUS_AUDIT_HTTP_PORT:-8084}:"
  )
else
  services=(
    "status-config:cstatus.status_config:${CSTATUS_STATUS_CONFIG_HTTP_PORT:-8081}:"
    "assignment:cstatus.assignment:${CSTATUS_ASSIGNMENT_HTTP_PORT:-8082}:CONSUME=false,HTTP_REUSE_PORT=true"
    "assignment-api-2:cstatus.assignment:${CSTATUS_ASSIGNMENT_HTTP_PORT:-8082}:CONSUME=false,HTTP_REUSE_PORT=true"
    "assignment-worker:cstatus.assignment:${CSTATUS_ASSIGNMENT_WORKER_HTTP_PORT:-8092}:"
    "rules-engine:cstatus.rules_engine:${CSTATUS_RULES_ENGINE_HTTP_PORT:-8083}:"
    "rules-engine-2:cstatus.rules_engine:${CSTATUS_RULES_ENGINE_2_HTTP_PORT:-8093}:"
    "audit:cstatus.audit:${CSTATUS_AUDIT_HTTP_PORT:-8084}:"
  )
fi

# The public development JWT secret is accepted only where CSTATUS_ENV says so explicitly.
export CSTATUS_ENV="${CSTATUS_ENV:-development}"

say() { printf '[services] %s\n' "$*"; }

running() { [[ -f "$run_dir/$1.pid" ]] && kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null; }

restarts() { cat "$run_dir/$1.restarts" 2>/dev/null || echo 0; }

# supervise NAME MODULE: run the service, and again whenever it exits, until NAME.stop exists.
supervise() {
  local name=$1 module=$2 niceness=${3:-0} backoff=1 count=0 started child rc
  echo 0 >"$run_dir/$name.restarts"
  while [[ ! -f "$run_dir/$name.stop" ]]; do
    started=$SECONDS
    nice -n "$niceness" "$python" -m "$module" >>"$log_dir/$name.log" 2>&1 </dev/null &
    child=$!
    echo "$child" >"$run_dir/$name.child"
    wait "$child" && rc=0 || rc=$?
    [[ -f "$run_dir/$name.stop" ]] && break
    count=$((count + 1))
    echo "$count" >"$run_dir/$name.restarts"
    if ((SECONDS - started > 60)); then backoff=1; fi
    printf '[supervisor] %s exited (%s); restart %d in %ss\n' "$name" "$rc" "$count" "$backoff" \
      >>"$log_dir/$name.log"
    sleep "$backoff"
    backoff=$((backoff * 2 > 30 ? 30 : backoff * 2))
  done
}

ready() { curl -fsS -m 2 "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

up() {
  [[ -x "$python" ]] || { say "no virtualenv at $python: run 'make setup' first"; exit 1; }
  mkdir -p "$run_dir" "$log_dir"
  for entry in "${services[@]}"; do
    IFS=: read -r name module port setting <<<"$entry"
    if running "$name"; then say "$name: already running (pid $(cat "$run_dir/$name.pid"))"; continue; fi
    # Each service logs in as its own role; migrations run as the schemas' owner (cstatus).
    service="${module#cstatus.}"
    prefix="CSTATUS_${service^^}_"
    role="cstatus_${service}"
    extra=("${prefix}HTTP_PORT=$port")
    # On a shared box a check must not queue for the CPU behind batch work: the processes that
    # serve the API only run at CSTATUS_LOCAL_API_NICE (default -10, root only; elsewhere `nice`
    # warns and runs it at 0), the ones that consume at CSTATUS_LOCAL_BATCH_NICE (default 0:
    # lowering them made them wait for Kafka, PostgreSQL and the load generator instead). On
    # Kubernetes, separate pods and CPU requests do this.
    niceness="${CSTATUS_LOCAL_API_NICE:--10}"
    if [[ "$setting" != *CONSUME=false* && "$name" != status-config ]]; then
      niceness="${CSTATUS_LOCAL_BATCH_NICE:-0}"
    fi
    IFS=, read -ra settings <<<"$setting"
    for one in "${settings[@]}"; do extra+=("${prefix}${one}"); done
    owner_dsn="${CSTATUS_PG_MIGRATION_DSN:-${CSTATUS_PG_DSN:-postgresql://cstatus:cstatus@127.0.0.1:${CSTATUS_PG_PORT:-5432}/cstatus}}"
    service_dsn="${owner_dsn/\/\/cstatus:/\/\/$role:}"
    rm -f "$run_dir/$name.stop" "$run_dir/$name.child"
    env CSTATUS_PG_DSN="$service_dsn" CSTATUS_PG_MIGRATION_DSN="$owner_dsn" "${extra[@]}" \
      nohup bash -c "$(declare -f supervise); python='$python' run_dir='$run_dir' \
        log_dir='$log_dir' supervise '$name' '$module' '$niceness'" >/dev/null 2>&1 &
    echo $! >"$run_dir/$name.pid"
    say "$name: starting on :$port (log $log_dir/$name.log)"
  done
  for entry in "${services[@]}"; do
    IFS=: read -r name module port _ <<<"$entry"
    deadline=$((SECONDS + ${CSTATUS_SERVICE_START_TIMEOUT:-90}))
    until ready "$port"; do
      if ! running "$name" || (($(restarts "$name") >= 3)); then
        say "$name: keeps exiting during start-up; last lines of its log:"
        tail -n 30 "$log_dir/$name.log"; down; exit 1
      fi
      if ((SECONDS > deadline)); then
        say "$name: not ready after ${CSTATUS_SERVICE_START_TIMEOUT:-90}s; last lines of its log:"
        tail -n 30 "$log_dir/$name.log"; exit 1
      fi
      sleep 0.5
    done
    say "$name: ready at http://127.0.0.1:$port"
  done
}

down() {
  # Every process a pid file names, whichever layout started it.
  local pidfile name pid child
  for pidfile in "$run_dir"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    name="$(basename "$pidfile" .pid)"
    if running "$name"; then
      pid="$(cat "$pidfile")"
      touch "$run_dir/$name.stop"  # the supervisor lets it go
      child="$(cat "$run_dir/$name.child" 2>/dev/null || true)"
      if [[ -n "$child" ]]; then
        kill -TERM "$child" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$child" 2>/dev/null || true
      fi
      for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      say "$name: stopped"
    fi
    rm -f "$run_dir/$name.pid" "$run_dir/$name.child"
  done
}

status() {
  for entry in "${services[@]}"; do
    IFS=: read -r name _ port _ <<<"$entry"
    if running "$name" && ready "$port"; then say "$name: ready on :$port ($(restarts "$name") restarts)"
    elif running "$name"; then say "$name: running, not ready, on :$port ($(restarts "$name") restarts)"
    else say "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
