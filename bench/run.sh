#!/usr/bin/env bash
# Danbao benchmarks: every figure beside a yardstick measured in the same run (see bench/README.md).
#   bench/run.sh [--quick] [--head] [--work DIR]
# Builds the server (Release), the load driver and a reference C++ gRPC server; starts its own
# durable Postgres and the server on loopback; prints a table; writes bench/results/<time>.json.
#   --quick   ~2 minutes after the build (fewer rounds, shorter loads, 32 clients only)
#   --head    measure the committed HEAD (git archive) rather than the working tree
#   --work D  keep builds, logs and the cluster in D instead of a temp dir removed at exit
#   --grpc-only / --flood-only   row 1 only / the flood row only (unknown API keys at ~4,000 calls/s vs GetLoan p99)
#   --loans-only   rows 2, 3, 6, 7: the loan write and read paths against pgbench
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v pgbench >/dev/null || missing+=(postgresql-client)
command -v grpc_cpp_plugin >/dev/null || missing+=(protobuf-compiler-grpc)
pkg-config --exists grpc++ 2>/dev/null || missing+=(libgrpc++-dev)
command -v g++ >/dev/null || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/run.sh: installing ${missing[*]}" >&2
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
  # A fresh machine has no package lists yet: without them apt-get cannot locate any of these.
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
scripts/pg.sh ensure-installed
exec python3 bench/bench.py "$@"
