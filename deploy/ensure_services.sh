#!/bin/sh
# Make sure RabbitMQ and PostgreSQL answer on loopback before the tests run.
# A server that does not answer but is installed is started; one that is not installed is
# reported on one line and the script exits non-zero.
#
# Environment: PY (python used for port checks, default python3), RABBITMQ_PORT (5672),
# PGPORT (5432), PG_TEST_DATABASE (test), WAIT_SECONDS (60).
set -eu

PY=${PY:-python3}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
PGPORT=${PGPORT:-5432}
PG_TEST_DATABASE=${PG_TEST_DATABASE:-test}
WAIT_SECONDS=${WAIT_SECONDS:-60}
RABBITMQ_SERVER=${RABBITMQ_SERVER:-rabbitmq-server}
RABBITMQCTL=${RABBITMQCTL:-rabbitmqctl}
PG_CTLCLUSTER=${PG_CTLCLUSTER:-pg_ctlcluster}
# Server tools usually live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH

answers() {
    "$PY" -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)' "$1"
}

wait_for_port() { # name port started-at (seconds since the epoch)
    while ! answers "$2"; do
        if [ $(($(date +%s) - $3)) -ge "$WAIT_SECONDS" ]; then
            echo "ensure_services: $1 was started but does not answer on 127.0.0.1:$2 after ${WAIT_SECONDS}s" >&2
            exit 1
        fi
        sleep 1
    done
}

have() { command -v "$1" >/dev/null 2>&1; }

ensure_rabbitmq() {
    if answers "$RABBITMQ_PORT"; then
        return 0
    fi
    if ! have "$RABBITMQ_SERVER"; then
        echo "ensure_services: RabbitMQ does not answer on 127.0.0.1:$RABBITMQ_PORT and rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)" >&2
        exit 1
    fi
    echo "ensure_services: starting RabbitMQ (rabbitmq-server -detached)"
    started=$(date +%s)
    "$RABBITMQ_SERVER" -detached
    if have "$RABBITMQCTL"; then
        # Best effort: the port check below, within the same time budget, is what counts.
        "$RABBITMQCTL" -q await_startup --timeout "$WAIT_SECONDS" >/dev/null 2>&1 || true
    fi
    wait_for_port RabbitMQ "$RABBITMQ_PORT" "$started"
    echo "ensure_services: RabbitMQ is up on 127.0.0.1:$RABBITMQ_PORT"
}

pg_cluster() { # prints "<version> <name>" of the cluster configured for $PGPORT
    if have pg_lsclusters; then
        pg_lsclusters -h 2>/dev/null | awk -v port="$PGPORT" '$3 == port { print $1, $2; exit }'
    elif [ -d /etc/postgresql ]; then
        version=$(ls /etc/postgresql | sort -n | tail -n 1)
        if [ -n "$version" ]; then echo "$version main"; fi
    fi
}

ensure_postgres() {
    if ! answers "$PGPORT"; then
        cluster=""
        if have "$PG_CTLCLUSTER"; then
            cluster=$(pg_cluster)
        fi
        if [ -z "$cluster" ]; then
            echo "ensure_services: PostgreSQL does not answer on 127.0.0.1:$PGPORT and no PostgreSQL cluster for that port is installed (Debian: apt-get install postgresql)" >&2
            exit 1
        fi
        echo "ensure_services: starting PostgreSQL cluster $cluster"
        started=$(date +%s)
        # shellcheck disable=SC2086 # "<version> <name>" is two words on purpose
        "$PG_CTLCLUSTER" --skip-systemctl-redirect $cluster start
        wait_for_port PostgreSQL "$PGPORT" "$started"
        echo "ensure_services: PostgreSQL is up on 127.0.0.1:$PGPORT"
    fi
    # The tests create their databases from the `test` database; make sure it exists.
    if have psql; then
        psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAq "$@"; }
        if ! error=$(psql_ -c "SELECT 1" 2>&1 >/dev/null); then
            echo "ensure_services: PostgreSQL answers on 127.0.0.1:$PGPORT but user postgres cannot connect: $error" >&2
            exit 1
        fi
        exists=$(psql_ -c "SELECT 1 FROM pg_database WHERE datname = '$PG_TEST_DATABASE'")
        if [ "$exists" != "1" ]; then
            psql_ -c "CREATE DATABASE \"$PG_TEST_DATABASE\""
            echo "ensure_services: created database $PG_TEST_DATABASE"
        fi
    fi
}

ensure_rabbitmq
ensure_postgres
