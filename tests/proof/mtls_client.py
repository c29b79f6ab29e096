#!/usr/bin/python3
"""mTLS against the Danbao server with python3-grpcio (C-core), certificates made by the test.

Usage: mtls_client.py PORT DIR   (DIR holds ca.pem, registered.pem/.key, unregistered.pem/.key,
foreign.pem/.key). Prints PASS/FAIL per case; exit status 1 when any case fails.
"""
import sys

import grpc

PORT, DIR = sys.argv[1], sys.argv[2]
WHOAMI = "/danbao.v1.IdentityService/WhoAmI"
OPTIONS = [("grpc.ssl_target_name_override", "localhost"), ("grpc.enable_retries", 0)]
failures = 0


def read(name):
    with open(f"{DIR}/{name}", "rb") as f:
        return f.read()


def fields(data):
    """Top-level fields of a protobuf message: number -> bytes (length-delimited) or int (varint)."""
    out, i = {}, 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value

    while i < len(data):
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            out[number] = varint()
        elif wire == 2:
            n = varint()
            out[number] = data[i:i + n]
            i += n
        else:
            raise ValueError(f"wire type {wire}")
    return out


def whoami(client):
    creds = grpc.ssl_channel_credentials(
        root_certificates=read("ca.pem"),
        private_key=read(client + ".key") if client else None,
        certificate_chain=read(client + ".pem") if client else None)
    with grpc.secure_channel(f"127.0.0.1:{PORT}", creds, options=OPTIONS) as channel:
        call = channel.unary_unary(WHOAMI, request_serializer=None, response_deserializer=None)
        return call(b"", timeout=10)


def case(name, fn):
    global failures
    try:
        fn()
        print(f"PASS {name}")
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        failures += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def registered():
    caller = fields(whoami("registered"))
    assert caller.get(1) == b"institutions/icbc-gz", caller
    assert caller.get(5) == b"mtls", caller


def unregistered():
    try:
        whoami("unregistered")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code()
        details = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
        assert b"CERTIFICATE_NOT_REGISTERED" in details, details
        return
    raise AssertionError("an unregistered certificate was accepted")


def foreign():
    try:
        whoami("foreign")
    except grpc.RpcError as e:
        # Refused in the TLS handshake: no call ever reaches the server, so the status is UNAVAILABLE.
        assert e.code() == grpc.StatusCode.UNAVAILABLE, (e.code(), e.details())
        return
    raise AssertionError("a certificate from another CA was accepted")


def no_certificate():
    try:
        whoami(None)
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code()
        return
    raise AssertionError("a call with neither certificate nor key was accepted")


case("registered certificate authenticates as its institution (icbc-gz, mtls)", registered)
case("unregistered certificate from the trusted CA: UNAUTHENTICATED CERTIFICATE_NOT_REGISTERED", unregistered)
case("certificate from another CA: refused at the handshake (UNAVAILABLE)", foreign)
case("TLS without certificate or key: UNAUTHENTICATED", no_certificate)
case("the server still serves a registered certificate afterwards", registered)
sys.exit(1 if failures else 0)
