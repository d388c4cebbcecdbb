#!/usr/bin/env bash
# The local stack without Docker: Kafka (KRaft, one node, straight from the Maven jars on the JVM),
# PostgreSQL and Redis (Debian packages), all state under one directory.
#
#   deploy/local/stack.sh up|down|status|clean
#
# See deploy/local/README.md for the environment variables and where state and logs live.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

STATE_DIR=${CSTATUS_STACK_DIR:-$REPO_ROOT/.stack}
[[ $STATE_DIR == /* ]] || STATE_DIR=$PWD/$STATE_DIR
LOG_DIR=$STATE_DIR/logs

KAFKA_PORT=${CSTATUS_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${CSTATUS_KAFKA_CONTROLLER_PORT:-9093}
# A second client listener for the reliability suite's fault proxy: the broker listens on
# KAFKA_FAULTS_PORT and advertises KAFKA_FAULTS_PROXY_PORT, where the suite's proxy forwards to it.
KAFKA_FAULTS_PORT=${CSTATUS_KAFKA_FAULTS_PORT:-9094}
KAFKA_FAULTS_PROXY_PORT=${CSTATUS_KAFKA_FAULTS_PROXY_PORT:-9095}
PG_PORT=${CSTATUS_PG_PORT:-5432}
REDIS_PORT=${CSTATUS_REDIS_PORT:-6379}
WAIT_S=${CSTATUS_STACK_WAIT:-90}
PYTHON=${PYTHON:-$REPO_ROOT/.venv/bin/python}

KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")
KAFKA_CACHE=${CSTATUS_KAFKA_CACHE:-${HOME:-/root}/.cache/cstatus/kafka-$KAFKA_VERSION}
KAFKA_HEAP=${CSTATUS_KAFKA_HEAP:--Xmx768m -Xms256m}
KAFKA_DIR=$STATE_DIR/kafka
KAFKA_PIDFILE=$KAFKA_DIR/kafka.pid

PG_DIR=$STATE_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCKET_DIR=$PG_DIR/run
PG_LOG=$LOG_DIR/postgres.log

REDIS_DIR=$STATE_DIR/redis
REDIS_PIDFILE=$REDIS_DIR/redis.pid
REDIS_LOG=$LOG_DIR/redis.log

export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------
# helpers

say() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] warning: %s\n' "$*" >&2; }

# fail COMPONENT MESSAGE [LOGFILE...]: print the message and the tail of each log, exit 1.
fail() {
    local component=$1 message=$2
    shift 2
    printf '[stack] %s: FAILED: %s\n' "$component" "$message" >&2
    local logfile
    for logfile in "$@"; do
        if [[ -s $logfile ]]; then
            printf '[stack] ---- last lines of %s ----\n' "$logfile" >&2
            tail -n 40 "$logfile" >&2
            printf '[stack] ----\n' >&2
        fi
    done
    exit 1
}

port_open() { timeout 2 bash -c ": >/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# pid_of PIDFILE: the pid in it if that process is alive (prints nothing otherwise).
pid_of() {
    local pid
    [[ -r $1 ]] || return 1
    pid=$(head -n 1 "$1" 2>/dev/null | tr -dc '0-9')
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    printf '%s' "$pid"
}

# cmdline_has PID TEXT: the process's command line contains TEXT (so a reused pid is not "ours").
cmdline_has() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"; }

# stop_pid NAME PID SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
    local name=$1 pid=$2 wait_s=$3 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < wait_s * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    warn "$name (pid $pid) did not stop within ${wait_s}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
}

APT_UPDATED=0
POLICY_TO_REMOVE=
remove_policy() {
    if [[ -n $POLICY_TO_REMOVE ]]; then
        rm -f "$POLICY_TO_REMOVE"
        POLICY_TO_REMOVE=
    fi
}
trap remove_policy EXIT

apt_install() {
    local log=$LOG_DIR/apt.log policy=/usr/sbin/policy-rc.d rc=0
    if [[ $(id -u) -ne 0 ]]; then
        warn "need root to apt-get install $*"
        return 1
    fi
    say "apt: installing $*…"
    # Package scripts must not start system services (a Debian redis or PostgreSQL on our ports).
    if [[ ! -e $policy ]]; then
        POLICY_TO_REMOVE=$policy
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    {
        if [[ $APT_UPDATED -eq 0 ]]; then
            apt-get update -q && APT_UPDATED=1
        fi
        apt-get install -y -q --no-install-recommends "$@"
    } >>"$log" 2>&1 </dev/null || rc=$?
    remove_policy
    if [[ $rc -ne 0 ]]; then
        warn "apt-get install $* failed (exit $rc); see $log"
        tail -n 20 "$log" >&2 || true
    fi
    return $rc
}

ensure_state_dir() {
    mkdir -p "$STATE_DIR" "$LOG_DIR"
    STATE_DIR=$(cd "$STATE_DIR" && pwd -P)
}

# One stack.sh at a time per state directory, so that two `up`s never start two brokers. The lock
# is fd 9; every server started below gets `9>&-`, so that it does not hold the lock after we exit.
lock_state_dir() {
    exec 9>"$STATE_DIR/.lock"
    if ! flock -n 9; then
        say "waiting for another stack.sh working on $STATE_DIR…"
        flock -w 600 9 || fail stack "another stack.sh kept $STATE_DIR/.lock for 10 minutes"
    fi
}

# The postgres OS user must be able to reach the data directory: make every parent searchable.
make_traversable_for_postgres() {
    local dir=/ part
    local -a parts
    runuser -u postgres -- test -x "$STATE_DIR" 2>/dev/null && return 0
    IFS=/ read -r -a parts <<<"${STATE_DIR#/}"
    for part in "${parts[@]}"; do
        dir=${dir%/}/$part
        if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
            say "postgres: making $dir searchable for the postgres user (chmod o+x)"
            chmod o+x "$dir"
        fi
    done
    runuser -u postgres -- test -x "$STATE_DIR" ||
        fail postgres "the postgres user cannot reach $STATE_DIR; set CSTATUS_STACK_DIR elsewhere"
}

# ---------------------------------------------------------------------------------------------
# Kafka

kafka_pid() {
    local pid
    pid=$(pid_of "$KAFKA_PIDFILE") && cmdline_has "$pid" kafka.Kafka && printf '%s' "$pid"
}

ensure_java() {
    if ! command -v java >/dev/null; then
        apt_install default-jre-headless || fail kafka "java is missing and could not be installed"
    fi
    local major
    major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    if [[ -z $major || $major -lt 17 ]]; then
        fail kafka "Kafka $KAFKA_VERSION needs Java 17 or newer, found '${major:-none}'"
    fi
}

kafka_fetch() {
    local marker=$KAFKA_CACHE/.complete pom_sum log=$LOG_DIR/kafka-fetch.log
    pom_sum=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
    if [[ -f $marker && $(cat "$marker") == "$pom_sum" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || apt_install maven || fail kafka "mvn is missing and could not be installed"
    say "kafka: fetching the $KAFKA_VERSION jars into $KAFKA_CACHE…"
    mkdir -p "$KAFKA_CACHE"
    rm -f "$marker"
    find "$KAFKA_CACHE" -maxdepth 1 -name '*.jar' -delete # jars of an older pom
    if ! mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_CACHE" >"$log" 2>&1 </dev/null; then
        fail kafka "could not fetch the Kafka jars with Maven" "$log"
    fi
    printf '%s\n' "$pom_sum" >"$marker"
}

# The JVM command line of a Kafka main class (the broker or a tool): kafka_cmd CLASS ARGS...
kafka_cmd() {
    local heap
    read -r -a heap <<<"$KAFKA_HEAP"
    KAFKA_CMD=(java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
        -Dkafka.logs.dir="$LOG_DIR/kafka"
        -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.properties"
        -cp "$KAFKA_CACHE/*" "$@")
}

kafka_configure() {
    mkdir -p "$KAFKA_DIR/data" "$LOG_DIR/kafka"
    sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
        -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
        -e "s|@FAULTS_PORT@|$KAFKA_FAULTS_PORT|g" \
        -e "s|@FAULTS_PROXY_PORT@|$KAFKA_FAULTS_PROXY_PORT|g" \
        -e "s|@DATA_DIR@|$KAFKA_DIR/data|g" \
        "$SCRIPT_DIR/kafka/server.properties.template" >"$KAFKA_DIR/server.properties"
    if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
        local log=$LOG_DIR/kafka-format.log cluster_id
        say "kafka: formatting the KRaft storage…"
        kafka_cmd kafka.tools.StorageTool random-uuid
        if ! cluster_id=$("${KAFKA_CMD[@]}" 2>>"$log" </dev/null); then
            printf '%s\n' "$cluster_id" >>"$log" # the JVM reports start-up errors on stdout
            fail kafka "could not generate a cluster id" "$log"
        fi
        kafka_cmd kafka.tools.StorageTool format --standalone --ignore-formatted \
            -t "$cluster_id" -c "$KAFKA_DIR/server.properties"
        "${KAFKA_CMD[@]}" >>"$log" 2>&1 </dev/null ||
            fail kafka "could not format the KRaft storage" "$log"
    fi
}

# Starts the broker in the background; kafka_wait waits for it.
kafka_start() {
    local pid
    KAFKA_EXTERNAL=0
    if pid=$(kafka_pid); then
        say "kafka: already running (ours, pid $pid)"
        return 0
    fi
    if port_open "$KAFKA_PORT"; then
        say "kafka: something not ours already listens on 127.0.0.1:$KAFKA_PORT; using it"
        KAFKA_EXTERNAL=1
        return 0
    fi
    if port_open "$KAFKA_CONTROLLER_PORT"; then
        fail kafka "port $KAFKA_CONTROLLER_PORT (controller) is taken by something else; set CSTATUS_KAFKA_CONTROLLER_PORT"
    fi
    ensure_java
    kafka_fetch
    kafka_configure
    say "kafka: starting $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT…"
    kafka_cmd kafka.Kafka "$KAFKA_DIR/server.properties"
    (
        cd "$KAFKA_DIR"
        # setsid: a session of its own, so nothing sent to the caller's process group reaches it.
        nohup setsid "${KAFKA_CMD[@]}" >>"$LOG_DIR/kafka.out" 2>&1 </dev/null 9>&- &
        echo $! >"$KAFKA_PIDFILE"
    )
}

kafka_wait() {
    local deadline=$((SECONDS + WAIT_S)) pid
    if [[ $KAFKA_EXTERNAL -eq 0 ]]; then
        while ! port_open "$KAFKA_PORT"; do
            if ! pid=$(kafka_pid); then
                fail kafka "the broker exited while starting" "$LOG_DIR/kafka.out" "$LOG_DIR/kafka/server.log"
            fi
            ((SECONDS < deadline)) ||
                fail kafka "port $KAFKA_PORT not open after ${WAIT_S}s" "$LOG_DIR/kafka/server.log"
            sleep 0.5
        done
    fi
    say "kafka: creating topics…"
    local remaining=$((deadline - SECONDS))
    ((remaining >= 15)) || remaining=15
    if ! "$PYTHON" -m cstatus.platform.kafka.topics --bootstrap "127.0.0.1:$KAFKA_PORT" \
        --timeout "$remaining" >"$LOG_DIR/kafka-topics.log" 2>&1 </dev/null; then
        if [[ $KAFKA_EXTERNAL -eq 1 ]]; then
            fail kafka "could not create the topics" "$LOG_DIR/kafka-topics.log"
        fi
        fail kafka "could not create the topics" "$LOG_DIR/kafka-topics.log" "$LOG_DIR/kafka/server.log"
    fi
    if [[ $KAFKA_EXTERNAL -eq 1 ]]; then
        say "kafka: ready (external, 127.0.0.1:$KAFKA_PORT)"
    else
        say "kafka: ready ($KAFKA_VERSION, 127.0.0.1:$KAFKA_PORT)"
    fi
}

kafka_stop() {
    local pid
    if pid=$(kafka_pid); then
        say "kafka: stopping (pid $pid)…"
        stop_pid kafka "$pid" 60
    fi
    rm -f "$KAFKA_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

PG_BIN=
find_pg_bin() {
    local dir
    PG_BIN=
    while IFS= read -r dir; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && PG_BIN=$dir
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
    [[ -n $PG_BIN ]]
}

pg_ours_running() {
    [[ -f $PG_DATA/postmaster.pid ]] && [[ -n $PG_BIN ]] &&
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_as_postgres() { runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

pg_dsn_works() {
    PGPASSWORD=cstatus PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -tA \
        "postgresql://cstatus@127.0.0.1:$PG_PORT/cstatus" -c 'select 1' >/dev/null 2>&1
}

# pg_provision PSQL-CONNECTION-ARGS...: role cstatus and database cstatus, idempotently.
pg_provision() {
    pg_as_postgres "$@" -d postgres <<'SQL'
DO $$
DECLARE svc text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cstatus') THEN
        CREATE ROLE cstatus LOGIN CREATEROLE CREATEDB PASSWORD 'cstatus';
    ELSE
        ALTER ROLE cstatus LOGIN CREATEROLE CREATEDB PASSWORD 'cstatus';
    END IF;
    -- One login role per service (least privilege): the services run as these, the migrations
    -- as `cstatus`, the owner of every schema, which grants each role its rights at start-up.
    FOR svc IN SELECT unnest(ARRAY['status_config', 'assignment', 'rules_engine', 'audit']) LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cstatus_' || svc) THEN
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', 'cstatus_' || svc, 'cstatus');
        END IF;
    END LOOP;
END
$$;
SELECT 'CREATE DATABASE cstatus OWNER cstatus'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cstatus')
\gexec
SQL
}

pg_up() {
    find_pg_bin || apt_install postgresql || true
    find_pg_bin || fail postgres "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    id postgres >/dev/null 2>&1 || fail postgres "the postgres OS user is missing (apt-get install postgresql)"

    if pg_ours_running; then
        say "postgres: already running (ours)"
    elif port_open "$PG_PORT"; then
        say "postgres: something not ours already listens on 127.0.0.1:$PG_PORT; using it"
        local sock
        for sock in /var/run/postgresql /tmp; do
            if pg_as_postgres -h "$sock" -p "$PG_PORT" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
                pg_provision -h "$sock" -p "$PG_PORT" >/dev/null ||
                    fail postgres "could not create the cstatus role and database"
                break
            fi
        done
        pg_dsn_works ||
            fail postgres "cannot connect as cstatus to the PostgreSQL on port $PG_PORT, and cannot administer it"
        say "postgres: ready (external, 127.0.0.1:$PG_PORT)"
        return 0
    else
        make_traversable_for_postgres
        mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
        chown postgres:postgres "$PG_DIR" "$PG_SOCKET_DIR"
        touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
        if [[ ! -s $PG_DATA/PG_VERSION ]]; then
            say "postgres: initdb…"
            rm -rf "$PG_DATA"
            runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 \
                --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 \
                >>"$PG_LOG" 2>&1 </dev/null || fail postgres "initdb failed" "$PG_LOG"
            echo "include_if_exists = 'cstatus.conf'" >>"$PG_DATA/postgresql.conf"
        fi
        # Rewritten at every start, so the port and paths follow the environment.
        cat >"$PG_DATA/cstatus.conf" <<EOF
# written by deploy/local/stack.sh at every start
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
shared_buffers = 256MB
# Checkpoints by time, not by WAL volume: with the default max_wal_size (1 GB) a steady
# 2,000 events/s (make soak) started one every ~45 s ("checkpoint starting: wal"), each followed
# by a burst of full-page writes, and the commits of every service once stalled together ~300 ms.
max_wal_size = 4GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
EOF
        chown postgres:postgres "$PG_DATA/cstatus.conf"
        say "postgres: starting on 127.0.0.1:$PG_PORT…"
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_S" \
            start >/dev/null 2>&1 </dev/null 9>&- || fail postgres "pg_ctl start failed" "$PG_LOG"
    fi

    local deadline=$((SECONDS + WAIT_S))
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; do
        ((SECONDS < deadline)) || fail postgres "not ready after ${WAIT_S}s" "$PG_LOG"
        sleep 0.3
    done
    pg_provision -h "$PG_SOCKET_DIR" -p "$PG_PORT" >/dev/null 2>>"$PG_LOG" ||
        fail postgres "could not create the cstatus role and database" "$PG_LOG"
    pg_dsn_works || fail postgres "cannot connect with postgresql://cstatus:cstatus@127.0.0.1:$PG_PORT/cstatus" "$PG_LOG"
    say "postgres: ready ($("$PG_BIN/postgres" --version | sed -n 's/.*(PostgreSQL) \([^ ]*\).*/\1/p'), 127.0.0.1:$PG_PORT)"
}

pg_stop() {
    find_pg_bin || return 0
    if pg_ours_running; then
        say "postgres: stopping…"
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null ||
            warn "pg_ctl stop failed; see $PG_LOG"
    fi
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_pid() {
    local pid
    pid=$(pid_of "$REDIS_PIDFILE") && cmdline_has "$pid" redis-server && printf '%s' "$pid"
}

redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_up() {
    local pid external=0
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server || true
        command -v redis-server >/dev/null || fail redis "redis-server is missing and could not be installed"
    fi
    if pid=$(redis_pid); then
        say "redis: already running (ours, pid $pid)"
    elif port_open "$REDIS_PORT"; then
        say "redis: something not ours already listens on 127.0.0.1:$REDIS_PORT; using it"
        external=1
    else
        mkdir -p "$REDIS_DIR"
        say "redis: starting on 127.0.0.1:$REDIS_PORT…"
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
            --dir "$REDIS_DIR" --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" \
            --save "" --appendonly no </dev/null >/dev/null 2>&1 9>&- ||
            fail redis "redis-server did not start" "$REDIS_LOG"
    fi
    local deadline=$((SECONDS + WAIT_S))
    until redis_ping; do
        ((SECONDS < deadline)) || fail redis "no PONG after ${WAIT_S}s" "$REDIS_LOG"
        sleep 0.2
    done
    if [[ $external -eq 1 ]]; then
        say "redis: ready (external, 127.0.0.1:$REDIS_PORT)"
    else
        say "redis: ready ($(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'), 127.0.0.1:$REDIS_PORT)"
    fi
}

redis_stop() {
    local pid
    if pid=$(redis_pid); then
        say "redis: stopping (pid $pid)…"
        stop_pid redis "$pid" 30
    fi
    rm -f "$REDIS_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
    local started=$SECONDS
    if [[ ! -x $PYTHON ]]; then
        fail stack "$PYTHON not found: run 'make setup' first (or set PYTHON=…); it creates the Kafka topics"
    fi
    ensure_state_dir
    lock_state_dir
    if ! command -v kcat >/dev/null; then
        apt_install kcat || warn "kcat could not be installed (only some end-to-end tests use it)"
    fi
    kafka_start # the JVM boots while PostgreSQL and Redis start
    pg_up
    redis_up
    kafka_wait
    say "up in $((SECONDS - started))s; state and logs in $STATE_DIR"
    say "CSTATUS_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
    say "CSTATUS_PG_DSN=postgresql://cstatus:cstatus@127.0.0.1:$PG_PORT/cstatus"
    say "CSTATUS_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

cmd_down() {
    [[ -d $STATE_DIR ]] || {
        say "nothing to stop ($STATE_DIR does not exist)"
        return 0
    }
    [[ -n ${STATE_LOCKED:-} ]] || lock_state_dir
    redis_stop
    pg_stop
    kafka_stop
    say "down"
}

cmd_status() {
    local pid missing=0
    find_pg_bin || true
    if pid=$(kafka_pid); then
        if port_open "$KAFKA_PORT"; then
            say "kafka:    up (ours, pid $pid, 127.0.0.1:$KAFKA_PORT, $KAFKA_VERSION)"
        else
            say "kafka:    starting (ours, pid $pid, port $KAFKA_PORT not open yet)"
            missing=1
        fi
    elif port_open "$KAFKA_PORT"; then
        say "kafka:    up (not ours, 127.0.0.1:$KAFKA_PORT)"
    else
        say "kafka:    down"
        missing=1
    fi
    if pg_ours_running; then
        say "postgres: up (ours, pid $(head -n 1 "$PG_DATA/postmaster.pid"), 127.0.0.1:$PG_PORT)"
    elif port_open "$PG_PORT"; then
        say "postgres: up (not ours, 127.0.0.1:$PG_PORT)"
    else
        say "postgres: down"
        missing=1
    fi
    if pid=$(redis_pid); then
        say "redis:    up (ours, pid $pid, 127.0.0.1:$REDIS_PORT)"
    elif port_open "$REDIS_PORT"; then
        say "redis:    up (not ours, 127.0.0.1:$REDIS_PORT)"
    else
        say "redis:    down"
        missing=1
    fi
    say "state:    $STATE_DIR"
    return $missing
}

cmd_clean() {
    if [[ -d $STATE_DIR ]]; then
        lock_state_dir
        STATE_LOCKED=1
    fi
    cmd_down
    case $STATE_DIR in
    / | "$REPO_ROOT" | "${HOME:-/root}" | "")
        fail clean "refusing to delete $STATE_DIR"
        ;;
    esac
    if [[ -d $STATE_DIR ]]; then
        say "removing $STATE_DIR"
        rm -rf "$STATE_DIR"
    fi
}

usage() {
    cat <<EOF
usage: $0 up|down|status|clean

  up      start Kafka $KAFKA_VERSION (KRaft), PostgreSQL and Redis if not running; create topics
  down    stop what 'up' started (never a server that was already there)
  status  show each component; exit 0 only when all are up
  clean   down, then delete the state directory ($STATE_DIR)
EOF
}

# Faults for the reliability suite (tests/reliability): the part dies or restarts the hard way.
cmd_fault() {
    local pid
    case ${1:-} in
    postgres-restart-immediate)
        find_pg_bin || fail postgres "no PostgreSQL binaries"
        pg_ours_running || fail postgres "not running (ours)"
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_S" \
            start >/dev/null 2>&1 </dev/null 9>&- || fail postgres "pg_ctl start failed" "$PG_LOG"
        say "postgres: restarted in immediate mode" ;;
    kafka-kill)
        pid=$(kafka_pid) || fail kafka "not running (ours)"
        kill -KILL "$pid"
        say "kafka: killed (pid $pid)" ;;
    kafka-start)
        kafka_start
        kafka_wait ;;
    redis-stop) redis_stop ;;
    redis-start) redis_up ;;
    *) echo "usage: $0 fault postgres-restart-immediate|kafka-kill|kafka-start|redis-stop|redis-start" >&2; exit 2 ;;
    esac
}

case ${1:-} in
up) cmd_up ;;
fault) shift; cmd_fault "$@" ;;
down) cmd_down ;;
status) cmd_status ;;
clean) cmd_clean ;;
-h | --help | help) usage ;;
*)
    usage >&2
    exit 2
    ;;
esac
