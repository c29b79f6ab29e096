using System.Collections.Concurrent;
using Danbao.Grpc.Tests.Probe;
using Google.Protobuf;

namespace Danbao.Grpc.Tests.Support;

/// <summary>The danbao.grpctest.v1.Probe service: each mode scripts one server behaviour.</summary>
public sealed class ProbeHandler
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    /// <summary>How many times a key (request_id, else mode) reached the handler.</summary>
    public int AttemptsOf(string key) => _attempts.GetValueOrDefault(key);

    /// <summary>Unary probe.</summary>
    public async Task<ProbeReply> Call(ProbeRequest request, ServerCallContext context)
    {
        string key = request.RequestId.Length > 0 ? request.RequestId : request.Mode;
        int attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        switch (request.Mode)
        {
            case "unavailable-twice" when attempt <= 2:
                throw new RpcException(StatusCode.Unavailable, "Try again.");
            case "always-unavailable":
                throw new RpcException(StatusCode.Unavailable, "Down.");
            case "invalid-argument":
                throw RpcErrors.InvalidArgument("Bad loan request.", ("amount_fen", "must be positive"), ("term_months", "must be 1..60"));
            case "failed-precondition":
                throw RpcErrors.FailedPrecondition("LOAN_CLOSED", "Loan is closed.", new Dictionary<string, string> { ["loan_id"] = "L-1" });
            case "crash":
                throw new InvalidOperationException("secret internal detail");
            case "sleep":
                await Task.Delay(TimeSpan.FromSeconds(10), context.CancellationToken);
                break;
            case "sleep-ignoring-token":
                await Task.Delay(TimeSpan.FromMilliseconds(400), CancellationToken.None);
                break;
            case "trace":
                context.ResponseTrailers.Add("x-trace", "handler");
                break;
            case "deadline":
                return new ProbeReply { Attempt = context.Deadline == DateTime.MaxValue ? -1 : (int)(context.Deadline - DateTime.UtcNow).TotalMilliseconds };
            case "whoami":
                return new ProbeReply { Text = context.ClientCertificate?.Subject ?? "", Attempt = attempt };
            case "echo-headers":
                await context.WriteResponseHeadersAsync(new Metadata().Add("x-echo", context.RequestHeaders.Get("x-probe") ?? ""));
                byte[] binary = context.RequestHeaders.GetBytes("x-probe-bin") ?? [];
                context.ResponseTrailers.Add("x-echo-bin", binary);
                return new ProbeReply { Body = ByteString.CopyFrom(binary), Text = context.RequestHeaders.Get("authorization") ?? "" };
            case "compression":
                context.CompressResponses = true;
                return new ProbeReply { Text = context.RequestCompressed ? "compressed" : "plain", Body = ByteString.CopyFrom(new byte[request.Size]) };
        }
        return new ProbeReply { RequestId = request.RequestId, Attempt = attempt, Body = ByteString.CopyFrom(new byte[request.Size]) };
    }

    /// <summary>Streams <c>size</c> replies; mode "fail-after-2" ends with ABORTED after two.</summary>
    public async Task Stream(ProbeRequest request, IServerStreamWriter<ProbeReply> responses, ServerCallContext context)
    {
        for (int i = 0; i < request.Size; i++)
        {
            if (request.Mode == "fail-after-2" && i == 2)
            {
                throw RpcErrors.Aborted("CONFLICT", "Concurrent update.");
            }
            await responses.WriteAsync(new ProbeReply { Attempt = i });
        }
    }
}

/// <summary>Appends "&gt;name" before and "&lt;name" after the rest of the chain to the x-trace trailer, when the call asks for tracing.</summary>
public sealed class TraceInterceptor(string name) : IServerInterceptor
{
    /// <inheritdoc />
    public async Task InvokeAsync(ServerCallContext context, Func<Task> next)
    {
        bool tracing = context.Request is ProbeRequest { Mode: "trace" };
        if (tracing)
        {
            context.ResponseTrailers.Add("x-trace", ">" + name + (context.HandlerMethod is null ? "" : ":" + context.HandlerMethod.Name));
        }
        await next();
        if (tracing)
        {
            context.ResponseTrailers.Add("x-trace", "<" + name);
        }
    }
}

/// <summary>Refuses calls carrying x-deny with UNAUTHENTICATED, as an auth interceptor would.</summary>
public sealed class DenyInterceptor : IServerInterceptor
{
    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, Func<Task> next) =>
        context.RequestHeaders.Get("x-deny") is not null
            ? throw RpcErrors.Unauthenticated("NO_TOKEN", "Missing credentials.")
            : next();
}
