using System.Collections.Concurrent;
using System.Net;
using Danbao.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc.Tests.Support;

/// <summary>
/// A scripted danbao.v1.LoanService on a minimal grpc-dotnet host (127.0.0.1, any port), for the SDK's
/// own behaviour: each call is recorded, then answered by <see cref="Script"/> (which may throw).
/// </summary>
public sealed class FakeLoanService : LoanService.LoanServiceBase, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>One received call: method, request_id (empty for reads), authorization header, whether a deadline was set.</summary>
    public sealed record Received(string Method, string RequestId, string Authorization, bool HasDeadline);

    public ConcurrentQueue<Received> Calls { get; } = new();

    /// <summary>Given the method and its attempt number (1-based), throws the status to answer with, or returns to answer OK.</summary>
    public Action<string, int> Script { get; set; } = (_, _) => { };

    public Uri Address { get; private set; } = null!;

    public static async Task<FakeLoanService> StartAsync()
    {
        var fake = new FakeLoanService();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        var app = builder.Build();
        app.MapGrpcService<FakeLoanService>();
        await app.StartAsync();
        fake._app = app;
        fake.Address = new Uri(app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return fake;
    }

    public int CountOf(string method) => Calls.Count(c => c.Method == method);

    public override Task<Loan> CreateLoan(CreateLoanRequest request, ServerCallContext context)
    {
        Answer(nameof(CreateLoan), request.RequestId, context);
        return Task.FromResult(new Loan { Name = "loans/L0000000000FAKEFAKE0" });
    }

    public override Task<Loan> GetLoan(GetLoanRequest request, ServerCallContext context)
    {
        Answer(nameof(GetLoan), "", context);
        return Task.FromResult(new Loan { Name = request.Name });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private void Answer(string method, string requestId, ServerCallContext context)
    {
        Calls.Enqueue(new Received(method, requestId, context.RequestHeaders.GetValue("authorization") ?? "", context.Deadline != DateTime.MaxValue));
        Script(method, CountOf(method));
    }
}
