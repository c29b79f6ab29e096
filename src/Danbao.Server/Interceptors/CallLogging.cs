using System.Diagnostics;
using Danbao.Server.Identity;
using Danbao.Server.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Interceptors;

/// <summary>
/// One log line and one metrics sample per call: method, status, duration, caller. Request bodies
/// are never logged, so ID numbers and amounts cannot leak into logs. The console logger queues
/// lines for a background writer, so logging costs no synchronous write on the request path.
/// A server bug (INTERNAL) is logged as an error with its exception; a call the client cancelled
/// is logged as CANCELLED, without a stack.
/// </summary>
public sealed partial class CallLogging(ILogger<CallLogging> logger, CallMetrics metrics) : CallInterceptor
{
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
            if (logger.IsEnabled(LogLevel.Information))
            {
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
                || (e is IOException && e.Message.Contains("aborted", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }
}
