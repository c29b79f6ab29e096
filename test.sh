#!/usr/bin/env bash
# Builds and runs every test against a real throwaway PostgreSQL and the python3-grpcio interop
# suite, installing what is missing. Nothing needs to be started by hand.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use: PostgreSQL, a real gRPC implementation (C-core) for interop, protoc
# for its stubs, h2load for the benchmark smoke test, a CJK font and Chromium for the HTML report.
scripts/pg.sh ensure-installed
need=()
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null || need+=(python3-grpcio python3-protobuf)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)   # the deploy files are linted with it
command -v protoc >/dev/null || need+=(protobuf-compiler)
command -v h2load >/dev/null || need+=(nghttp2-client)
# The HTML report: its charts' Chinese labels need a CJK font; a test opens it in headless Chromium.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# One throwaway cluster for the whole run; each test makes its own database in it.
pgdir=$(mktemp -d /tmp/danbao-test-pg.XXXXXX)
pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
scripts/pg.sh start "$pgdir" "$pg_port" --fast
trap 'scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
export DANBAO_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"

dotnet build Danbao.sln -c Release -nologo -v quiet -clp:ErrorsOnly
log=$(mktemp /tmp/danbao-test.XXXXXX.log)
set +e
# A test that hangs is named and stopped after 10 minutes rather than holding the run (and CI) until it times out.
dotnet test Danbao.sln -c Release --no-build -nologo --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for whoever reads the log: the sum over every test assembly.
/usr/bin/python3 - "$log" <<'PY'
import re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+)", line)
    if m:
        failed += int(m.group(1)); passed += int(m.group(2)); skipped += int(m.group(3))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
