using System.Diagnostics;
using Danbao.Grpc;
using Danbao.Server.Identity;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Hosting;

/// <summary>
/// One log line per call: method, status, duration, caller. Request bodies are never logged, so
/// ID numbers and amounts cannot leak into logs.
/// </summary>
public sealed class CallLogging(ILogger<CallLogging> logger) : IServerInterceptor
{
    public async Task InvokeAsync(ServerCallContext context, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            await next();
        }
        catch (Exception ex)
        {
            code = ServerErrors.StatusOf(ex, context);
            throw;
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var caller = context.Items.TryGetValue(typeof(Caller), out var c) && c is Caller who ? who.InstitutionId : "-";
                logger.LogInformation("rpc {Method} {Status} {ElapsedMs:F1}ms caller={Caller} peer={Peer}",
                    context.Method, StatusCodeNames.Of(code), Stopwatch.GetElapsedTime(started).TotalMilliseconds, caller, context.Peer);
            }
        }
    }
}
