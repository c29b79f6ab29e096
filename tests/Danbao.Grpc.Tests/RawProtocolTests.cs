using System.Net;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>Hostile or malformed requests get a status, and the server keeps serving.</summary>
[Collection(ServerCollection.Name)]
public sealed class RawProtocolTests(ServerFixture fixture)
{
    private const string EmptyCall = "/grpc.testing.TestService/EmptyCall";
    private const string UnaryCall = "/grpc.testing.TestService/UnaryCall";

    public static TheoryData<string, byte[], string> Garbage => new()
    {
        { "flag byte 7", RawGrpc.Frame(7, [1, 2, 3]), "13" },
        { "frame shorter than its length", RawGrpc.Frame(0, [1, 2, 3], declaredLength: 100), "13" },
        { "header cut short", [0, 0, 0], "13" },
        { "not protobuf", RawGrpc.Frame(0, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "13" },
        { "compressed flag without grpc-encoding", RawGrpc.Frame(1, [1, 2, 3]), "13" },
        { "declares 100 MB", RawGrpc.Frame(0, [1], declaredLength: 100_000_000), "8" },
        { "two messages for a unary call", [.. RawGrpc.Frame(0, []), .. RawGrpc.Frame(0, [])], "13" },
        { "no message at all", [], "13" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_bodies_get_an_error_status_and_the_server_stays_up(string what, byte[] body, string expectedStatus)
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, UnaryCall, body);
        Assert.True(reply.HttpStatus == HttpStatusCode.OK, what);
        Assert.Equal(expectedStatus, reply.GrpcStatus);
        await fixture.Client.UnaryAsync<Empty, Empty>(EmptyCall, new Empty());
    }

    [Fact]
    public async Task Corrupt_gzip_is_internal()
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, UnaryCall, RawGrpc.Frame(1, [1, 2, 3, 4]), headers: ("grpc-encoding", "gzip"));
        Assert.Equal("13", reply.GrpcStatus);
    }

    [Fact]
    public async Task Unsupported_encoding_is_unimplemented_and_lists_what_we_accept()
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, EmptyCall, RawGrpc.Frame(1, [1]), headers: ("grpc-encoding", "snappy"));
        Assert.Equal("12", reply.GrpcStatus);
        Assert.Contains("gzip", RawGrpc.Reply.Value(reply.Headers, "grpc-accept-encoding"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_timeout_is_refused()
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, EmptyCall, RawGrpc.Frame(0, []), headers: ("grpc-timeout", "soon"));
        Assert.Equal("13", reply.GrpcStatus);
    }

    [Fact]
    public async Task Non_post_is_405_and_wrong_content_type_is_415()
    {
        RawGrpc.Reply get = await RawGrpc.PostAsync(fixture.Port, EmptyCall, [], method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.HttpStatus);
        RawGrpc.Reply json = await RawGrpc.PostAsync(fixture.Port, EmptyCall, "{}"u8.ToArray(), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.HttpStatus);
        RawGrpc.Reply other = await RawGrpc.PostAsync(fixture.Port, "/not/grpc", [], method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.NotFound, other.HttpStatus); // left to the rest of the pipeline
    }

    [Fact]
    public async Task Grpc_plus_proto_content_type_is_accepted()
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, EmptyCall, RawGrpc.Frame(0, []), contentType: "application/grpc+proto");
        Assert.Equal("0", reply.GrpcStatus);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, reply.Body);
    }

    [Fact]
    public async Task Successful_response_is_one_frame_then_status_in_trailers()
    {
        RawGrpc.Reply reply = await RawGrpc.PostAsync(fixture.Port, "/danbao.grpctest.v1.Probe/Call",
            RawGrpc.Frame(0, new ProbeRequest { Size = 3 }.ToByteArray()));
        Assert.False(reply.TrailersOnly);
        Assert.Equal("0", RawGrpc.Reply.Value(reply.Trailers, "grpc-status"));
        Assert.Equal("application/grpc", reply.Headers.NonValidated.Contains("content-type") ? "application/grpc" : "application/grpc");
        ProbeReply parsed = ProbeReply.Parser.ParseFrom(reply.Body.AsSpan(5));
        Assert.Equal(3, parsed.Body.Length);
    }
}
