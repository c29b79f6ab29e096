#!/usr/bin/env bash
# Runs Danbao on this machine: installs what is missing, starts a private PostgreSQL cluster under
# .danbao/pgdata (kept between runs), applies migrations and serves gRPC on 127.0.0.1.
#   ./run.sh [--port N] [--interop] [--pg-port N] [--business-date YYYY-MM-DD]
# DANBAO_DB=<connection string> points it at an existing PostgreSQL instead. The server is a sandbox:
# --business-date (or DANBAO_BUSINESS_DATE) makes that date "today"; `./danbao business-date advance` moves it.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

port=50051
pg_port=${DANBAO_PG_PORT:-54329}
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --pg-port) pg_port=$2; shift 2 ;;
    --interop) extra+=(--interop); shift ;;
    --business-date) extra+=(--business-date "$2"); shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

# `./danbao report --out report.html` draws Chinese chart labels with Debian's Noto CJK font.
if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null; } \
    || echo "run.sh: could not install fonts-noto-cjk; report charts will be labelled in English only" >&2
fi

stop_pg() { :; }
if [ -z "${DANBAO_DB:-}" ]; then
  scripts/pg.sh ensure-installed
  mkdir -p .danbao
  scripts/pg.sh start "$here/.danbao/pgdata" "$pg_port"
  stop_pg() { scripts/pg.sh stop "$here/.danbao/pgdata" || true; }
  trap stop_pg EXIT
  psql=(psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -c "select 1 from pg_database where datname = 'danbao'" | grep -q 1 \
    || "${psql[@]}" -c "create database danbao"
  export DANBAO_DB="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=danbao"
  echo "$DANBAO_DB" > .danbao/database.txt   # for ./danbao verify and migrate, which work on the database
fi

echo "Building the server…"
dotnet build src/Danbao.Server -c Release -o .danbao/server -nologo -v quiet -clp:ErrorsOnly

# Not exec: the trap stops the server, then Postgres, on Ctrl-C. A background job of a
# non-interactive shell ignores SIGINT, so the server is asked to stop with SIGTERM.
dotnet .danbao/server/Danbao.Server.dll --port "$port" --migrate --demo-keys "$here/.danbao/demo-keys.txt" --environment sandbox "${extra[@]}" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; echo "Stopped."; exit 0' INT TERM
wait $server || true
