using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

/// <summary>Client-streaming and bidi calls from our client, including a reflection session.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientStreamingTests(ServerFixture fixture)
{
    [Fact]
    public async Task Client_streaming_aggregates_every_request()
    {
        using var call = fixture.Client.ClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>("/grpc.testing.TestService/StreamingInputCall");
        foreach (int size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[size]) } });
        }
        await call.RequestStream.CompleteAsync();
        StreamingInputCallResponse response = await call.ResponseAsync;
        Assert.Equal(74922, response.AggregatedPayloadSize);
    }

    [Fact]
    public async Task Bidi_ping_pong_answers_each_request_before_the_next_is_sent()
    {
        using var call = fixture.Client.DuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(
            "/grpc.testing.TestService/FullDuplexCall", new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
        await using IAsyncEnumerator<StreamingOutputCallResponse> responses = call.ReadAllAsync().GetAsyncEnumerator();
        foreach (int size in new[] { 31415, 9, 2653, 58979 })
        {
            var request = new StreamingOutputCallRequest();
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
            await call.RequestStream.WriteAsync(request);
            Assert.True(await responses.MoveNextAsync());
            Assert.Equal(size, responses.Current.Payload.Body.Length);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await responses.MoveNextAsync());
    }

    [Fact]
    public async Task Reflection_lists_services_and_returns_files_with_their_dependencies()
    {
        using var call = fixture.Client.DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "danbao.grpctest.v1.Probe.Call" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.SimpleRequest" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "no.such.Thing" });
        await call.RequestStream.CompleteAsync();
        var answers = new List<ServerReflectionResponse>();
        await foreach (ServerReflectionResponse answer in call.ReadAllAsync())
        {
            answers.Add(answer);
        }
        Assert.Equal(4, answers.Count);
        string[] services = answers[0].ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("danbao.grpctest.v1.Probe", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
        Assert.Equal("probe.proto", FileNames(answers[1])[0]);
        string[] messagesFiles = FileNames(answers[2]);
        Assert.Equal("grpc/testing/messages.proto", messagesFiles[0]);
        Assert.Equal((int)StatusCode.NotFound, answers[3].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Reflection_of_a_file_includes_transitive_imports()
    {
        using var call = fixture.Client.DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileByFilename = "grpc/testing/test.proto" });
        await call.RequestStream.CompleteAsync();
        string[] files = [];
        await foreach (ServerReflectionResponse answer in call.ReadAllAsync())
        {
            files = FileNames(answer);
        }
        Assert.Equal("grpc/testing/test.proto", files[0]);
        Assert.Contains("grpc/testing/empty.proto", files);
        Assert.Contains("grpc/testing/messages.proto", files);
    }

    private static string[] FileNames(ServerReflectionResponse answer) =>
        answer.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
}
