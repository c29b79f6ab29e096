using System.Net;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>Hostile or malformed requests to DanbaoHost get a status (or an HTTP refusal), and the host keeps serving.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class RawProtocolTests(SharedHost shared)
{
    private const string EmptyCall = "/grpc.testing.TestService/EmptyCall";
    private const string UnaryCall = "/grpc.testing.TestService/UnaryCall";

    /// <summary>
    /// Each with the status grpc-dotnet answers: INTERNAL for broken framing, RESOURCE_EXHAUSTED for an
    /// oversized declaration, UNKNOWN ("Exception was thrown by handler.") where it fails while decoding
    /// the message, before any interceptor runs.
    /// </summary>
    public static TheoryData<string, byte[], string> Garbage => new()
    {
        { "flag byte 7", RawGrpc.Frame(7, [1, 2, 3]), "2" },
        { "frame shorter than its length", RawGrpc.Frame(0, [1, 2, 3], declaredLength: 100), "13" },
        { "header cut short", [0, 0, 0], "13" },
        { "not protobuf", RawGrpc.Frame(0, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "2" },
        { "compressed flag without grpc-encoding", RawGrpc.Frame(1, [1, 2, 3]), "13" },
        { "declares 100 MB", RawGrpc.Frame(0, [1], declaredLength: 100_000_000), "8" },
        { "two messages for a unary call", [.. RawGrpc.Frame(0, []), .. RawGrpc.Frame(0, [])], "13" },
        { "no message at all", [], "13" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_bodies_get_an_error_status_and_the_server_stays_up(string what, byte[] body, string expectedStatus)
    {
        var reply = await RawGrpc.PostAsync(shared.Server.Port, UnaryCall, body);
        Assert.True(reply.HttpStatus == HttpStatusCode.OK, what);
        Assert.True(expectedStatus == reply.GrpcStatus, $"{what}: grpc-status {reply.GrpcStatus} ({reply.GrpcMessage})");
        await StillServesAsync();
    }

    [Fact]
    public async Task Corrupt_gzip_is_an_error_status()
    {
        // UNKNOWN: grpc-dotnet fails while decompressing, outside the handler and its interceptors.
        var reply = await RawGrpc.PostAsync(shared.Server.Port, UnaryCall, RawGrpc.Frame(1, [1, 2, 3, 4]), headers: ("grpc-encoding", "gzip"));
        Assert.Equal("2", reply.GrpcStatus);
        await StillServesAsync();
    }

    [Fact]
    public async Task Unsupported_encoding_is_unimplemented_and_lists_what_is_accepted()
    {
        var reply = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, RawGrpc.Frame(1, [1]), headers: ("grpc-encoding", "snappy"));
        Assert.Equal("12", reply.GrpcStatus);
        Assert.Contains("gzip", RawGrpc.Reply.Value(reply.Headers, "grpc-accept-encoding"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_timeout_is_ignored_by_grpc_dotnet()
    {
        // grpc-dotnet logs an invalid grpc-timeout and runs the call without a deadline (the hand-written layer refused it).
        var reply = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, RawGrpc.Frame(0, []), headers: ("grpc-timeout", "soon"));
        Assert.Equal("0", reply.GrpcStatus);
    }

    [Fact]
    public async Task Non_post_and_wrong_content_type_are_refused_as_grpc_dotnet_does()
    {
        // grpc-dotnet maps its methods for POST only: a GET finds no endpoint at all.
        var get = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, [], method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.NotFound, get.HttpStatus);
        var json = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, "{}"u8.ToArray(), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.HttpStatus);
        var other = await RawGrpc.PostAsync(shared.Server.Port, "/not/grpc", [], method: HttpMethod.Get);
        Assert.Equal(HttpStatusCode.NotFound, other.HttpStatus);
        await StillServesAsync();
    }

    [Fact]
    public async Task Grpc_plus_proto_content_type_is_accepted()
    {
        var reply = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, RawGrpc.Frame(0, []), contentType: "application/grpc+proto");
        Assert.Equal("0", reply.GrpcStatus);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, reply.Body);
    }

    [Fact]
    public async Task Successful_response_is_one_frame_then_status_in_trailers()
    {
        var reply = await RawGrpc.PostAsync(shared.Server.Port, UnaryCall, RawGrpc.Frame(0, new SimpleRequest { ResponseSize = 3 }.ToByteArray()));
        Assert.False(reply.TrailersOnly);
        Assert.Equal("application/grpc", reply.ContentHeaders.ContentType?.MediaType);
        Assert.Equal("0", RawGrpc.Reply.Value(reply.Trailers, "grpc-status"));
        Assert.Equal(0, reply.Body[0]);
        Assert.Equal(3, SimpleResponse.Parser.ParseFrom(reply.Body.AsSpan(5)).Payload.Body.Length);
    }

    [Fact]
    public async Task An_error_before_any_message_is_trailers_only()
    {
        var reply = await RawGrpc.PostAsync(shared.Server.Port, UnaryCall,
            RawGrpc.Frame(0, new SimpleRequest { ResponseStatus = new EchoStatus { Code = 5, Message = "gone" } }.ToByteArray()));
        Assert.True(reply.TrailersOnly);
        Assert.Empty(reply.Body);
        Assert.Equal(("5", "gone"), (reply.GrpcStatus, reply.GrpcMessage));
    }

    [Fact]
    public async Task Binary_metadata_is_accepted_padded_or_unpadded()
    {
        foreach (var encoded in new[] { "AAEC+g==", "AAEC+g" })
        {
            var reply = await RawGrpc.PostAsync(shared.Server.Port, EmptyCall, RawGrpc.Frame(0, []), headers: ("x-grpc-test-echo-trailing-bin", encoded));
            Assert.Equal("0", reply.GrpcStatus);
            var echoed = RawGrpc.Reply.Value(reply.Trailers, "x-grpc-test-echo-trailing-bin");
            Assert.True(echoed is not null, "no x-grpc-test-echo-trailing-bin trailer");
            Assert.Equal(new byte[] { 0, 1, 2, 250 }, Convert.FromBase64String(echoed.PadRight((echoed.Length + 3) / 4 * 4, '=')));
        }
    }

    [Fact]
    public async Task Grpc_over_http1_is_refused_instead_of_half_working()
    {
        // The gRPC port speaks HTTP/2 only (h2c prior knowledge).
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{shared.Server.Port}{EmptyCall}")
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with 400 and closes: no gRPC status, no call.
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("grpc-status"));
        Assert.False(response.TrailingHeaders.Contains("grpc-status"));
        await StillServesAsync();
    }

    private async Task StillServesAsync() => await new TestService.TestServiceClient(shared.Server.Channel()).EmptyCallAsync(new Empty());
}
