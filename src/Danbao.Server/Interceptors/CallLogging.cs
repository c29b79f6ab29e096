using System.Diagnostics;
using Danbao.Server.Hosting;
using Danbao.Server.Identity;
using Danbao.Server.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Interceptors;

/// <summary>
/// One metrics sample per call (<see cref="RpcMetrics"/>: method, status, duration) and a log line for
/// every call that did not end OK, plus one OK call in <see cref="ServerSettings.LogOkCallsEvery"/>
/// (the metrics count every call; a line per OK call was most of a fast call's cost). Request bodies
/// are never logged, so ID numbers and amounts cannot leak into logs. The console logger queues lines
/// for a background writer, so logging costs no synchronous write on the request path. A server bug
/// (INTERNAL) is logged as an error with its exception; a call the client cancelled is logged as
/// CANCELLED, without a stack.
/// </summary>
public sealed partial class CallLogging(ILogger<CallLogging> logger, RpcMetrics metrics, ServerSettings settings) : CallInterceptor
{
    private readonly int _okEvery = settings.LogOkCallsEvery;
    private long _okCalls;

    /// <summary>The whole status message a client gets for a server bug.</summary>
    public const string InternalMessage = "Internal server error.";

    protected override async Task AroundAsync(ServerCallContext context, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            await call();
        }
        catch (Exception ex)
        {
            code = StatusOf(ex, context);
            if (code == StatusCode.Internal)
            {
                logger.LogError(ex, "rpc {Method} failed unexpectedly", context.Method);
                if (ex is not RpcException)
                {
                    // grpc-dotnet would answer UNKNOWN for an unhandled exception; a server bug is INTERNAL
                    // (as the metrics count it), with nothing of the exception in the message.
                    throw new RpcException(new Status(StatusCode.Internal, InternalMessage));
                }
            }
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Record(context.Method, code, elapsed);
            if (code != StatusCode.OK || IsSampledOk())
            {
                Log(context, code, elapsed);
            }
        }
    }

    /// <summary>One OK call in <see cref="_okEvery"/> (none when 0).</summary>
    private bool IsSampledOk() => _okEvery == 1 || (_okEvery > 1 && Interlocked.Increment(ref _okCalls) % _okEvery == 0);

    private void Log(ServerCallContext context, StatusCode code, TimeSpan elapsed)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        var caller = context.UserState.TryGetValue(typeof(Caller), out var c) && c is Caller who ? who.InstitutionId : "-";
        if (caller != "-" || !IsAuthenticationFailure(code))
        {
#pragma warning disable CA1873 // inside logger.IsEnabled above: the peer is formatted only when the line is written
            LogCall(logger, context.Method, Contracts.StatusNames.Of(code), elapsed.TotalMilliseconds, caller, context.Peer);
#pragma warning restore CA1873
        }
        else if (_failedAuthentications.ShouldLog(out var suppressed))
        {
            // Sampled: an unauthenticated flood must not become a log flood (issue 14).
            logger.LogInformation("rpc {Method} {Status} {ElapsedMs:F1}ms caller=- peer={Peer} (+{Suppressed} failed authentications not logged in the last second)",
                context.Method, Contracts.StatusNames.Of(code), elapsed.TotalMilliseconds, context.Peer, suppressed);
        }
    }

    private readonly LogSampler _failedAuthentications = new();

    // Source-generated: no boxing or argument array per call (the call line is the hottest log line).
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "rpc {Method} {Status} {ElapsedMs:F1}ms caller={Caller} peer={Peer}")]
    private static partial void LogCall(ILogger logger, string method, string status, double elapsedMs, string caller, string peer);

    /// <summary>How a call refused before it had a caller ends: not authenticated, or limited for failing too often.</summary>
    private static bool IsAuthenticationFailure(StatusCode code) => code is StatusCode.Unauthenticated or StatusCode.ResourceExhausted;

    /// <summary>The status the client receives for what the handler threw.</summary>
    public static StatusCode StatusOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        _ when context.CancellationToken.IsCancellationRequested =>
            context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
        // The client reset its stream: reading the request fails before the token is seen to flip.
        _ when IsClientAbort(exception) => StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    private static bool IsClientAbort(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.ConnectionAbortedException
                || (e is IOException && (e.Message.Contains("aborted", StringComparison.OrdinalIgnoreCase)
                    || e.Message.Contains("reset", StringComparison.OrdinalIgnoreCase)))) // Kestrel: "The client reset the request stream."
            {
                return true;
            }
        }
        return false;
    }
}
