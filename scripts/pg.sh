#!/usr/bin/env bash
# Private PostgreSQL clusters for development and tests.
#
#   scripts/pg.sh ensure-installed          install the server with apt-get when absent
#   scripts/pg.sh start DIR PORT [--fast]   initdb DIR if empty, start on 127.0.0.1:PORT, wait until ready
#   scripts/pg.sh stop DIR                  stop cleanly (pg_ctl -m fast); no-op when not running
#   scripts/pg.sh status DIR                exit 0 when running
#   scripts/pg.sh destroy DIR               stop, then delete DIR and its data
#
# Or source it and call pg_ensure_installed / pg_start / pg_stop / pg_status.
#
# The cluster trusts local and 127.0.0.1 connections without a password: it is a private
# dev/test cluster, never a deployment. The unix socket lives inside DIR, so clusters in
# different directories never collide. Re-running start on an existing DIR keeps its data.
# --fast turns off fsync, synchronous_commit and full_page_writes: for throwaway test
# clusters only (a crash can corrupt the data, which a test run does not care about).
# As root, the server runs as the `postgres` user (Postgres refuses to run as root).

pg_log() { printf 'pg.sh: %s\n' "$*" >&2; }

# Prints the directory holding initdb/pg_ctl/postgres, newest major version first.
pg_bin_dir() {
    if [[ -n "${PG_BIN:-}" && -x "${PG_BIN}/pg_ctl" ]]; then
        printf '%s\n' "$PG_BIN"
        return 0
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" && -x "$dir/postgres" ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    local pg_ctl_path
    pg_ctl_path="$(command -v pg_ctl 2>/dev/null || true)"
    if [[ -n "$pg_ctl_path" ]]; then
        dirname "$(readlink -f "$pg_ctl_path")"
        return 0
    fi
    return 1
}

# Runs a command as root: directly when root, through sudo otherwise.
pg_as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

# Runs a command as the user that owns the cluster: `postgres` when we are root, else ourselves.
pg_as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_ensure_installed() {
    if pg_bin_dir >/dev/null; then
        return 0
    fi
    pg_log "PostgreSQL server not found; installing with apt-get"
    pg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    pg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
    # The Debian package starts a service cluster on 5432; we never use it, so stop it.
    pg_as_root service postgresql stop >/dev/null 2>&1 || true
    pg_bin_dir >/dev/null
}

pg_status() {
    local dir="${1:?usage: pg_status DIR}"
    local bin
    bin="$(pg_bin_dir)" || return 1
    [[ -f "$dir/PG_VERSION" ]] || return 1
    pg_as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

# pg_start DIR PORT [--fast]
pg_start() {
    local dir="" port="" fast=0 arg
    for arg in "$@"; do
        case "$arg" in
            --fast) fast=1 ;;
            *) if [[ -z "$dir" ]]; then dir="$arg"; elif [[ -z "$port" ]]; then port="$arg"; else
                   pg_log "unexpected argument: $arg"; return 2; fi ;;
        esac
    done
    if [[ -z "$dir" || -z "$port" ]]; then
        pg_log "usage: pg_start DIR PORT [--fast]"
        return 2
    fi
    pg_ensure_installed || { pg_log "cannot install PostgreSQL"; return 1; }
    local bin
    bin="$(pg_bin_dir)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"

    if [[ ! -f "$dir/PG_VERSION" ]]; then
        local initdb_log
        initdb_log="$(mktemp)"
        pg_as_owner "$bin/initdb" -D "$dir" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=trust >"$initdb_log" 2>&1 || {
            cat "$initdb_log" >&2
            rm -f "$initdb_log"
            return 1
        }
        rm -f "$initdb_log"
        # Only 127.0.0.1 and the socket: trust is fine because nothing else can reach it.
        {
            echo "local all all trust"
            echo "host  all all 127.0.0.1/32 trust"
        } | pg_as_owner tee "$dir/pg_hba.conf" >/dev/null
    fi

    if pg_status "$dir"; then
        # Already running: fine if on the requested port (line 4 of postmaster.pid).
        local running_port
        running_port="$(sed -n 4p "$dir/postmaster.pid" 2>/dev/null)"
        if [[ -n "$running_port" && "$running_port" != "$port" ]]; then
            pg_log "$dir is already running on port $running_port, not $port"
            return 1
        fi
        pg_wait_ready "$dir" "$port"
        return $?
    fi

    local opts="-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir'"
    opts+=" -c max_connections=300 -c shared_buffers=128MB"
    if [[ "$fast" -eq 1 ]]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    pg_as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 -s start >/dev/null || {
        pg_log "server failed to start; tail of $dir/server.log:"
        tail -n 20 "$dir/server.log" >&2
        return 1
    }
    pg_wait_ready "$dir" "$port"
}

pg_wait_ready() {
    local dir="$1" port="$2" i
    for ((i = 0; i < 120; i++)); do
        if "$(pg_bin_dir)/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.25
    done
    pg_log "server on port $port not ready after 30s; see $dir/server.log"
    return 1
}

pg_stop() {
    local dir="${1:?usage: pg_stop DIR}"
    local bin
    bin="$(pg_bin_dir)" || return 0
    if pg_status "$dir"; then
        pg_as_owner "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 -s stop >/dev/null
    fi
}

pg_destroy() {
    local dir="${1:?usage: pg_destroy DIR}"
    pg_stop "$dir" || return 1
    rm -rf -- "$dir"
}

# CLI when executed rather than sourced.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    command="${1:-}"
    shift || true
    case "$command" in
        ensure-installed) pg_ensure_installed ;;
        start) pg_start "$@" ;;
        stop) pg_stop "$@" ;;
        status) pg_status "$@" ;;
        destroy) pg_destroy "$@" ;;
        *)
            echo "usage: $0 {ensure-installed | start DIR PORT [--fast] | stop DIR | status DIR | destroy DIR}" >&2
            exit 2
            ;;
    esac
fi
