using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf.Reflection;

namespace Danbao.Grpc.Tests;

public sealed class BindingTests
{
    private static readonly ServiceDescriptor Misbound = ProbeReflection.Descriptor.Services.Single(s => s.Name == "Misbound");

    /// <summary>First returns the wrong type, Second is missing, Third takes the wrong parameter.</summary>
    private sealed class WrongHandler
    {
        public Task<ProbeRequest> First(ProbeRequest request, ServerCallContext context) => Task.FromResult(request);

        public Task<ProbeReply> Third(ProbeReply request, ServerCallContext context) => Task.FromResult(request);
    }

    private sealed class RightHandler
    {
        public Task<ProbeReply> First(ProbeRequest request, ServerCallContext context) => Task.FromResult(new ProbeReply());

        public Task Second(ProbeRequest request, IServerStreamWriter<ProbeReply> responses, ServerCallContext context) => Task.CompletedTask;

        public Task<ProbeReply> Third(ProbeRequest request, ServerCallContext context) => Task.FromResult(new ProbeReply());
    }

    [Fact]
    public void Start_up_fails_listing_every_missing_or_mistyped_handler()
    {
        var registry = new GrpcServiceRegistry().AddService(Misbound, new WrongHandler());
        GrpcBindingException ex = Assert.Throws<GrpcBindingException>(() => registry.Build());
        Assert.Equal(3, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("/danbao.grpctest.v1.Misbound/First", StringComparison.Ordinal) && p.Contains("Task<ProbeReply>", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("/danbao.grpctest.v1.Misbound/Second", StringComparison.Ordinal) && p.Contains("no method of that name", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("/danbao.grpctest.v1.Misbound/Third", StringComparison.Ordinal));
    }

    [Fact]
    public void Correct_handler_binds_and_duplicates_or_unknown_opt_outs_are_refused()
    {
        GrpcServer server = new GrpcServiceRegistry().AddService(Misbound, new RightHandler()).Build();
        Assert.Equal(3, server.MethodPaths.Count());

        var twice = new GrpcServiceRegistry().AddService(Misbound, new RightHandler()).AddService(Misbound, new RightHandler());
        Assert.Contains("more than once", Assert.Throws<GrpcBindingException>(() => twice.Build()).Message, StringComparison.Ordinal);

        var unknownOptOut = new GrpcServiceRegistry().AddService(Misbound, new RightHandler(), "Fourth");
        Assert.Contains("Fourth", Assert.Throws<GrpcBindingException>(() => unknownOptOut.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_is_frozen_after_build()
    {
        var registry = new GrpcServiceRegistry().AddService(Misbound, new RightHandler());
        registry.Build();
        Assert.Throws<InvalidOperationException>(() => registry.AddInterceptor(new DenyInterceptor()));
    }
}
