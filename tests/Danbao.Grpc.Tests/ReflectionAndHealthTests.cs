using Danbao.Grpc.Tests.Support;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;

namespace Danbao.Grpc.Tests;

/// <summary>grpc.reflection and grpc.health.v1 as DanbaoHost serves them.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class ReflectionAndHealthTests(SharedHost shared)
{
    private static readonly string[] DanbaoServices =
    [
        "danbao.v1.IdentityService", "danbao.v1.PolicyService", "danbao.v1.LoanService", "danbao.v1.BatchService",
        "danbao.v1.SubsidyService", "danbao.v1.AwardService", "danbao.v1.FundService", "danbao.v1.AdminService",
    ];

    [Fact]
    public async Task Reflection_lists_every_danbao_service_with_health_and_reflection()
    {
        var answers = await AskAsync(new ServerReflectionRequest { ListServices = "" });
        var services = answers[0].ListServicesResponse.Service.Select(s => s.Name).ToArray();
        foreach (var expected in DanbaoServices.Concat(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                     "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"]))
        {
            Assert.Contains(expected, services);
        }
    }

    [Fact]
    public async Task Reflection_returns_the_file_of_a_symbol_with_its_dependencies_and_not_found_for_unknown_symbols()
    {
        var answers = await AskAsync(
            new ServerReflectionRequest { FileContainingSymbol = "danbao.v1.LoanService.CreateLoan" },
            new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.SimpleRequest" },
            new ServerReflectionRequest { FileByFilename = "grpc/testing/test.proto" },
            new ServerReflectionRequest { FileContainingSymbol = "no.such.Thing" });
        Assert.Equal(4, answers.Count);
        var loanFiles = FileNames(answers[0]);
        Assert.Equal(Contracts.V1.LoanService.Descriptor.File.Name, loanFiles[0]);
        Assert.StartsWith("danbao/v1/", loanFiles[0], StringComparison.Ordinal);
        Assert.Equal("grpc/testing/messages.proto", FileNames(answers[1])[0]);
        var testFiles = FileNames(answers[2]);
        Assert.Equal("grpc/testing/test.proto", testFiles[0]);
        Assert.Contains("grpc/testing/empty.proto", testFiles);
        Assert.Contains("grpc/testing/messages.proto", testFiles);
        Assert.Equal((int)StatusCode.NotFound, answers[3].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Health_is_serving_overall_for_every_danbao_service_and_for_liveness()
    {
        var health = new Health.HealthClient(shared.Server.Channel());
        foreach (var service in DanbaoServices.Prepend("").Append("liveness"))
        {
            var answer = await health.CheckAsync(new HealthCheckRequest { Service = service });
            Assert.True(answer.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"'{service}' is {answer.Status}");
        }
    }

    [Fact]
    public async Task Health_check_of_an_unknown_service_is_not_found()
    {
        var health = new Health.HealthClient(shared.Server.Channel());
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Health_watch_reports_serving_and_service_unknown_for_an_unknown_service()
    {
        var health = new Health.HealthClient(shared.Server.Channel());
        using (var watch = health.Watch(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(10)))
        {
            Assert.True(await watch.ResponseStream.MoveNext());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        }
        using var unknown = health.Watch(new HealthCheckRequest { Service = "no.such.Service" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.True(await unknown.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, unknown.ResponseStream.Current.Status);
    }

    private async Task<List<ServerReflectionResponse>> AskAsync(params ServerReflectionRequest[] requests)
    {
        var client = new ServerReflection.ServerReflectionClient(shared.Server.Channel());
        using var call = client.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        foreach (var request in requests)
        {
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        var answers = new List<ServerReflectionResponse>();
        await foreach (var answer in call.ResponseStream.ReadAllAsync())
        {
            answers.Add(answer);
        }
        return answers;
    }

    private static string[] FileNames(ServerReflectionResponse answer) =>
        answer.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
}
