#!/usr/bin/python3
"""gRPC interop client (python3-grpcio) against a Danbao.Grpc server.

Generates python message stubs from protos/third_party with /usr/bin/protoc into
tests/interop/gen (gitignored), then runs the interop cases and prints PASS/FAIL for each.
Exit status is non-zero when any case fails.

Usage: /usr/bin/python3 interop_client.py --port 50051 [--tls --ca ca.pem [--cert c.pem --key k.pem]]
"""
import argparse
import atexit
import os
import shutil
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PROTO_ROOT = os.path.join(REPO, "protos", "third_party")
# One directory per process: parallel runs (h2c and TLS tests at once) must not regenerate
# files under each other's imports. Removed at exit.
GEN = os.path.join(HERE, "gen", str(os.getpid()))
PROTOS = [
    "grpc/testing/empty.proto",
    "grpc/testing/messages.proto",
    "grpc/testing/test.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1alpha/reflection.proto",
    "grpc/reflection/v1/reflection.proto",
]


def generate_stubs():
    os.makedirs(GEN, exist_ok=True)
    atexit.register(shutil.rmtree, GEN, True)
    protoc = "/usr/bin/protoc"
    if not os.path.exists(protoc):
        sys.exit("FAIL: /usr/bin/protoc not found (apt-get install protobuf-compiler)")
    subprocess.run([protoc, "-I", PROTO_ROOT, "--python_out", GEN] + PROTOS, check=True)
    # protoc emits packages without __init__.py; python3 namespace packages cope, but be explicit.
    for root, _dirs, _files in os.walk(GEN):
        init = os.path.join(root, "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
    # The generated packages start with "grpc", like grpcio itself: graft them onto its package
    # path (grpcio has no grpc.testing / grpc.health / grpc.reflection of its own here).
    grpc.__path__.append(os.path.join(GEN, "grpc"))
    sys.path.insert(0, GEN)


try:
    import grpc
except ImportError:
    sys.exit("FAIL: python3-grpcio is not installed for /usr/bin/python3 (apt-get install python3-grpcio)")

generate_stubs()
from grpc.testing import empty_pb2, messages_pb2  # noqa: E402  (generated)
from grpc.health.v1 import health_pb2  # noqa: E402
from grpc.reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2  # noqa: E402
from grpc.reflection.v1 import reflection_pb2 as reflection_v1_pb2  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402

TEST = "/grpc.testing.TestService/"
SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def unary(channel, path, req_type, resp_type):
    return channel.unary_unary(path, request_serializer=req_type.SerializeToString,
                               response_deserializer=resp_type.FromString)


def server_stream(channel, path, req_type, resp_type):
    return channel.unary_stream(path, request_serializer=req_type.SerializeToString,
                                response_deserializer=resp_type.FromString)


def bidi(channel, path, req_type, resp_type):
    return channel.stream_stream(path, request_serializer=req_type.SerializeToString,
                                 response_deserializer=resp_type.FromString)


def client_stream(channel, path, req_type, resp_type):
    return channel.stream_unary(path, request_serializer=req_type.SerializeToString,
                                response_deserializer=resp_type.FromString)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_error(fn, code, details=None):
    try:
        fn()
    except grpc.RpcError as e:
        expect(e.code() == code, "expected %s, got %s (%r)" % (code, e.code(), e.details()))
        if details is not None:
            expect(e.details() == details, "expected details %r, got %r" % (details, e.details()))
        return e
    raise AssertionError("expected %s, call succeeded" % code)


def simple_request(**kwargs):
    return messages_pb2.SimpleRequest(**kwargs)


def payload(size):
    return messages_pb2.Payload(body=b"\0" * size)


# ---- cases -------------------------------------------------------------------------------

def empty_unary(ch):
    resp = unary(ch, TEST + "EmptyCall", empty_pb2.Empty, empty_pb2.Empty)(empty_pb2.Empty(), timeout=10)
    expect(resp == empty_pb2.Empty(), "non-empty response")


def large_unary(ch):
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    resp = call(simple_request(response_size=314159, payload=payload(271828)), timeout=10)
    expect(len(resp.payload.body) == 314159, "payload size %d" % len(resp.payload.body))


def client_compressed_unary(ch):
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    # Probe: the server must notice an uncompressed request that claims to be compressed.
    expect_error(lambda: call(simple_request(expect_compressed=messages_pb2.BoolValue(value=True),
                                             response_size=314159, payload=payload(271828)), timeout=10),
                 grpc.StatusCode.INVALID_ARGUMENT)
    resp = call(simple_request(expect_compressed=messages_pb2.BoolValue(value=True), response_size=314159,
                               payload=payload(271828)), timeout=10, compression=grpc.Compression.Gzip)
    expect(len(resp.payload.body) == 314159, "compressed: payload size")
    resp = call(simple_request(expect_compressed=messages_pb2.BoolValue(value=False), response_size=314159,
                               payload=payload(271828)), timeout=10)
    expect(len(resp.payload.body) == 314159, "uncompressed: payload size")


def server_compressed_unary(ch):
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    for compressed in (True, False):
        resp = call(simple_request(response_compressed=messages_pb2.BoolValue(value=compressed),
                                   response_size=314159, payload=payload(271828)), timeout=10)
        expect(len(resp.payload.body) == 314159, "payload size (compressed=%s)" % compressed)


def server_streaming(ch):
    sizes = [31415, 9, 2653, 58979]
    req = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=s) for s in sizes])
    got = [len(r.payload.body) for r in server_stream(
        ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
        messages_pb2.StreamingOutputCallResponse)(req, timeout=10)]
    expect(got == sizes, "sizes %r" % got)


def server_compressed_streaming(ch):
    req = messages_pb2.StreamingOutputCallRequest(response_parameters=[
        messages_pb2.ResponseParameters(size=31415, compressed=messages_pb2.BoolValue(value=True)),
        messages_pb2.ResponseParameters(size=92653, compressed=messages_pb2.BoolValue(value=False))])
    got = [len(r.payload.body) for r in server_stream(
        ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
        messages_pb2.StreamingOutputCallResponse)(req, timeout=10)]
    expect(got == [31415, 92653], "sizes %r" % got)


def client_streaming(ch):
    sizes = [27182, 8, 1828, 45904]
    reqs = iter([messages_pb2.StreamingInputCallRequest(payload=payload(s)) for s in sizes])
    resp = client_stream(ch, TEST + "StreamingInputCall", messages_pb2.StreamingInputCallRequest,
                         messages_pb2.StreamingInputCallResponse)(reqs, timeout=10)
    expect(resp.aggregated_payload_size == 74922, "aggregated %d" % resp.aggregated_payload_size)


def ping_pong(ch):
    import queue
    requests = queue.Queue()

    def gen():
        while True:
            item = requests.get()
            if item is None:
                return
            yield item

    call = bidi(ch, TEST + "FullDuplexCall", messages_pb2.StreamingOutputCallRequest,
                messages_pb2.StreamingOutputCallResponse)(gen(), timeout=10)
    for req_size, resp_size in [(27182, 31415), (8, 9), (1828, 2653), (45904, 58979)]:
        requests.put(messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=resp_size)], payload=payload(req_size)))
        resp = next(call)
        expect(len(resp.payload.body) == resp_size, "pong size %d" % len(resp.payload.body))
    requests.put(None)
    expect(next(call, None) is None, "stream did not end")


def status_code_and_message(ch):
    status = messages_pb2.EchoStatus(code=2, message="test status message")
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    expect_error(lambda: call(simple_request(response_status=status), timeout=10),
                 grpc.StatusCode.UNKNOWN, "test status message")
    stream = server_stream(ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
                           messages_pb2.StreamingOutputCallResponse)
    expect_error(lambda: list(stream(messages_pb2.StreamingOutputCallRequest(response_status=status), timeout=10)),
                 grpc.StatusCode.UNKNOWN, "test status message")


def special_status_message(ch):
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    expect_error(lambda: call(simple_request(response_status=messages_pb2.EchoStatus(code=2, message=SPECIAL_MESSAGE)),
                              timeout=10), grpc.StatusCode.UNKNOWN, SPECIAL_MESSAGE)


def custom_metadata(ch):
    metadata = (("x-grpc-test-echo-initial", "test_initial_metadata_value"),
                ("x-grpc-test-echo-trailing-bin", b"\x0a\x0b\x0a\x0b\x0a\x0b"))
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    resp, rpc = call.with_call(simple_request(response_size=314159, payload=payload(271828)),
                               metadata=metadata, timeout=10)
    expect(len(resp.payload.body) == 314159, "payload size")
    initial = dict(rpc.initial_metadata())
    trailing = dict(rpc.trailing_metadata())
    expect(initial.get("x-grpc-test-echo-initial") == "test_initial_metadata_value", "initial %r" % initial)
    expect(trailing.get("x-grpc-test-echo-trailing-bin") == b"\x0a\x0b\x0a\x0b\x0a\x0b", "trailing %r" % trailing)
    stream = server_stream(ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
                           messages_pb2.StreamingOutputCallResponse)(
        messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=314159)],
                                                payload=payload(271828)), metadata=metadata, timeout=10)
    sizes = [len(r.payload.body) for r in stream]
    expect(sizes == [314159], "stream sizes %r" % sizes)
    expect(dict(stream.initial_metadata()).get("x-grpc-test-echo-initial") == "test_initial_metadata_value",
           "stream initial")
    expect(dict(stream.trailing_metadata()).get("x-grpc-test-echo-trailing-bin") == b"\x0a\x0b\x0a\x0b\x0a\x0b",
           "stream trailing")


def unimplemented_method(ch):
    expect_error(lambda: unary(ch, TEST + "UnimplementedCall", empty_pb2.Empty, empty_pb2.Empty)(empty_pb2.Empty(), timeout=10),
                 grpc.StatusCode.UNIMPLEMENTED)


def unimplemented_service(ch):
    expect_error(lambda: unary(ch, "/grpc.testing.UnimplementedService/UnimplementedCall", empty_pb2.Empty,
                               empty_pb2.Empty)(empty_pb2.Empty(), timeout=10),
                 grpc.StatusCode.UNIMPLEMENTED)


def timeout_on_sleeping_server(ch):
    # The spec's variant: a full-duplex call with a 1 ms deadline.
    call = bidi(ch, TEST + "FullDuplexCall", messages_pb2.StreamingOutputCallRequest,
                messages_pb2.StreamingOutputCallResponse)
    req = messages_pb2.StreamingOutputCallRequest(payload=payload(27182))

    def keep_open():
        yield req
        time.sleep(1)  # do not half-close: the server must wait for more until the deadline

    expect_error(lambda: list(call(keep_open(), timeout=0.001)), grpc.StatusCode.DEADLINE_EXCEEDED)
    # And a server that really sleeps past the deadline (interval 2 s, deadline 200 ms).
    slow = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=1, interval_us=2000000)])
    started = time.monotonic()
    expect_error(lambda: list(server_stream(ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
                                            messages_pb2.StreamingOutputCallResponse)(slow, timeout=0.2)),
                 grpc.StatusCode.DEADLINE_EXCEEDED)
    expect(time.monotonic() - started < 1.5, "deadline not honoured promptly")


def cancel_after_first_response(ch):
    req = messages_pb2.StreamingOutputCallRequest(response_parameters=[
        messages_pb2.ResponseParameters(size=31415),
        messages_pb2.ResponseParameters(size=9, interval_us=500000),
        messages_pb2.ResponseParameters(size=2653, interval_us=500000)])
    call = server_stream(ch, TEST + "StreamingOutputCall", messages_pb2.StreamingOutputCallRequest,
                         messages_pb2.StreamingOutputCallResponse)(req, timeout=10)
    first = next(call)
    expect(len(first.payload.body) == 31415, "first size")
    call.cancel()
    expect_error(lambda: next(call), grpc.StatusCode.CANCELLED)


def health_check(ch):
    check = unary(ch, "/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse)
    resp = check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    expect(resp.status == health_pb2.HealthCheckResponse.SERVING, "overall status %d" % resp.status)
    expect_error(lambda: check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10),
                 grpc.StatusCode.NOT_FOUND)


def health_watch(ch):
    watch = server_stream(ch, "/grpc.health.v1.Health/Watch", health_pb2.HealthCheckRequest,
                          health_pb2.HealthCheckResponse)
    call = watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
    first = next(call)
    expect(first.status == health_pb2.HealthCheckResponse.SERVING, "watch status %d" % first.status)
    call.cancel()
    unknown = watch(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    expect(next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN, "unknown watch status")
    unknown.cancel()


def reflection(ch, module, service):
    call = bidi(ch, "/%s/ServerReflectionInfo" % service, module.ServerReflectionRequest,
                module.ServerReflectionResponse)
    requests = [
        module.ServerReflectionRequest(list_services=""),
        module.ServerReflectionRequest(file_containing_symbol="grpc.testing.TestService"),
        module.ServerReflectionRequest(file_containing_symbol="grpc.testing.SimpleRequest"),
        module.ServerReflectionRequest(file_by_filename="grpc/testing/empty.proto"),
        module.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
    ]
    responses = list(call(iter(requests), timeout=10))
    expect(len(responses) == len(requests), "got %d responses" % len(responses))
    names = [s.name for s in responses[0].list_services_response.service]
    for expected in ("grpc.testing.TestService", "grpc.health.v1.Health", service):
        expect(expected in names, "%s not listed in %r" % (expected, names))
    files = [descriptor_pb2.FileDescriptorProto.FromString(b).name
             for b in responses[1].file_descriptor_response.file_descriptor_proto]
    expect(files and files[0] == "grpc/testing/test.proto", "symbol file %r" % files)
    for dep in ("grpc/testing/empty.proto", "grpc/testing/messages.proto"):
        expect(dep in files, "dependency %s missing from %r" % (dep, files))
    files = [descriptor_pb2.FileDescriptorProto.FromString(b).name
             for b in responses[2].file_descriptor_response.file_descriptor_proto]
    expect(files and files[0] == "grpc/testing/messages.proto", "message file %r" % files)
    files = [descriptor_pb2.FileDescriptorProto.FromString(b).name
             for b in responses[3].file_descriptor_response.file_descriptor_proto]
    expect(files == ["grpc/testing/empty.proto"], "by filename %r" % files)
    expect(responses[4].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0],
           "unknown symbol error %r" % responses[4].error_response)


def reflection_v1alpha(ch):
    reflection(ch, reflection_v1alpha_pb2, "grpc.reflection.v1alpha.ServerReflection")


def reflection_v1(ch):
    reflection(ch, reflection_v1_pb2, "grpc.reflection.v1.ServerReflection")


def oversized_request(ch):
    # 5 MiB against the server's default 4 MiB limit: refused, and the next call still works.
    call = unary(ch, TEST + "UnaryCall", messages_pb2.SimpleRequest, messages_pb2.SimpleResponse)
    expect_error(lambda: call(simple_request(payload=payload(5 * 1024 * 1024)), timeout=10),
                 grpc.StatusCode.RESOURCE_EXHAUSTED)
    empty_unary(ch)


def server_still_up(ch):
    empty_unary(ch)


CASES = [
    empty_unary, large_unary, client_compressed_unary, server_compressed_unary, server_streaming,
    server_compressed_streaming, client_streaming, ping_pong, status_code_and_message, special_status_message,
    custom_metadata, unimplemented_method, unimplemented_service, timeout_on_sleeping_server,
    cancel_after_first_response, health_check, health_watch, reflection_v1alpha, reflection_v1, oversized_request, server_still_up,
]


def make_channel(args):
    target = "%s:%d" % (args.host, args.port)
    if not args.tls:
        return grpc.insecure_channel(target)
    with open(args.ca, "rb") as f:
        ca = f.read()
    key = cert = None
    if args.cert:
        with open(args.cert, "rb") as f:
            cert = f.read()
        with open(args.key, "rb") as f:
            key = f.read()
    creds = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    return grpc.secure_channel(target, creds, options=[("grpc.ssl_target_name_override", args.server_name)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--cases", default="", help="comma-separated subset")
    args = parser.parse_args()
    wanted = set(filter(None, args.cases.split(",")))
    failures = 0
    with make_channel(args) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        for case in CASES:
            if wanted and case.__name__ not in wanted:
                continue
            try:
                case(channel)
                print("PASS %s" % case.__name__, flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure and carry on
                failures += 1
                print("FAIL %s: %s" % (case.__name__, e), flush=True)
                traceback.print_exc(file=sys.stdout)
    print("%d failure(s)" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
