#!/usr/bin/env bash
# Builds the reference C++ gRPC server (callback API) from Debian's libgrpc++ into OUT_DIR.
#   bench/grpc/cpp/build.sh OUT_DIR      (needs: apt-get install libgrpc++-dev protobuf-compiler-grpc g++)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out/gen"
if ! command -v grpc_cpp_plugin >/dev/null || ! pkg-config --exists grpc++; then
  echo "build.sh: libgrpc++-dev and protobuf-compiler-grpc are required (apt-get install libgrpc++-dev protobuf-compiler-grpc)" >&2
  exit 1
fi
protos="$root/protos/third_party"
files=(grpc/testing/test.proto grpc/testing/empty.proto grpc/testing/messages.proto)
protoc -I "$protos" --cpp_out="$out/gen" --grpc_out="$out/gen" --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "${files[@]}"
g++ -O2 -std=c++17 -o "$out/ref_server" -I "$out/gen" \
  "$here/server.cc" "$out"/gen/grpc/testing/*.cc \
  $(pkg-config --cflags --libs grpc++ protobuf) -lpthread
echo "$out/ref_server"
