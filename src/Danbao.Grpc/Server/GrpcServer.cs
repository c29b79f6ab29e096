using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc;

/// <summary>
/// The built gRPC server: a fixed table from method path to bound handler. Serves HTTP/2
/// requests handed to it by the middleware (<see cref="GrpcApplicationBuilderExtensions.UseGrpc"/>).
/// </summary>
public sealed class GrpcServer
{
    private readonly FrozenDictionary<string, ServerMethod> _methods;
    private readonly FrozenSet<string> _servicePrefixes;
    private readonly IServerInterceptor[] _interceptors;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    internal GrpcServer(List<ServerMethod> methods, IServerInterceptor[] interceptors, GrpcServerOptions options, ILogger logger)
    {
        _methods = methods.ToFrozenDictionary(m => m.Path, StringComparer.Ordinal);
        _servicePrefixes = methods.Select(m => "/" + m.Descriptor.Service.FullName + "/").ToFrozenSet(StringComparer.Ordinal);
        _interceptors = interceptors;
        _options = options;
        _logger = logger;
        Metrics = new GrpcMetrics(_methods.Keys);
        foreach (ServerMethod method in methods)
        {
            method.Metrics = Metrics.For(method.Path);
        }
    }

    /// <summary>Call counts and latencies by method and status.</summary>
    public GrpcMetrics Metrics { get; }

    /// <summary>Full paths of every bound rpc (e.g. for logs at start-up).</summary>
    public IEnumerable<string> MethodPaths => _methods.Keys;

    /// <summary>True for requests this server should answer: gRPC content type, or a path of one of its services.</summary>
    public bool IsGrpcRequest(HttpContext context)
    {
        if (GrpcHeaders.IsGrpcContentType(context.Request.ContentType))
        {
            return true;
        }
        string path = context.Request.Path.Value ?? string.Empty;
        int slash = path.IndexOf('/', 1);
        return slash > 0 && _servicePrefixes.Contains(path[..(slash + 1)]);
    }

    /// <summary>Serves one gRPC request.</summary>
    public Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return Task.CompletedTask;
        }
        if (!GrpcHeaders.IsGrpcContentType(request.ContentType))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return Task.CompletedTask;
        }
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // Trailers (and so gRPC status) need HTTP/2; say so rather than half-working.
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "h2c";
            return Task.CompletedTask;
        }
        if (!_methods.TryGetValue(request.Path.Value ?? string.Empty, out ServerMethod? method))
        {
            WriteUnknownMethod(context);
            return Task.CompletedTask;
        }
        return ServeAsync(context, method);
    }

    private async Task ServeAsync(HttpContext httpContext, ServerMethod method)
    {
        if (method.Descriptor.IsClientStreaming)
        {
            LiftBodyLimitsForStreaming(httpContext);
        }
        long started = Stopwatch.GetTimestamp();
        using var context = new ServerCallContext(httpContext, method, _options);
        StatusCode code = StatusCode.OK;
        try
        {
            context.ReadProtocolHeaders();
            await method.HandleAsync(context, _interceptors).ConfigureAwait(false);
            context.WriteStatus(StatusCode.OK, null, null);
        }
        catch (Exception ex)
        {
            code = ServerErrors.StatusOf(ex, context);
            WriteFailure(context, ex, code);
        }
        finally
        {
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            method.Metrics?.Record(code, elapsed);
            NotifyCompleted(context, code, elapsed);
        }
    }

    /// <summary>
    /// A client stream may be long and may sit idle between messages (a reflection session, a
    /// feed of commands). Kestrel's whole-body cap (30 MB) and minimum body data rate (abort
    /// when under 240 B/s while the app waits to read) suit uploads, not streams; our limits
    /// are per message and the call's deadline.
    /// </summary>
    private static void LiftBodyLimitsForStreaming(HttpContext httpContext)
    {
        IHttpMaxRequestBodySizeFeature? bodySize = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            bodySize.MaxRequestBodySize = null;
        }
        IHttpMinRequestBodyDataRateFeature? dataRate = httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (dataRate is not null)
        {
            dataRate.MinDataRate = null;
        }
    }

    private void NotifyCompleted(ServerCallContext context, StatusCode code, TimeSpan elapsed)
    {
        if (_options.CallCompleted is not { } completed)
        {
            return;
        }
        try
        {
            completed(context, code, elapsed);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "CallCompleted hook failed for {Method}", context.Method);
        }
    }

    private void WriteFailure(ServerCallContext context, Exception exception, StatusCode code)
    {
        if (ServerErrors.IsUnexpected(exception, context))
        {
            _logger.LogError(exception, "gRPC handler for {Method} failed", context.Method);
        }
        if (code == StatusCode.Cancelled)
        {
            return; // The client is gone; there is no one to send a status to.
        }
        try
        {
            if (exception is RpcException rpc)
            {
                foreach (Metadata.Entry entry in rpc.Trailers)
                {
                    if (entry.IsBinary)
                    {
                        context.ResponseTrailers.Add(entry.Key, entry.ValueBytes!);
                    }
                    else
                    {
                        context.ResponseTrailers.Add(entry.Key, entry.Value!);
                    }
                }
                context.WriteStatus(code, rpc.StatusMessage, rpc.RichStatus);
            }
            else
            {
                string message = code == StatusCode.DeadlineExceeded ? "Deadline exceeded." : ServerErrors.InternalMessage;
                context.WriteStatus(code, message, null);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // The response can no longer carry a status (e.g. the stream was reset); log, never crash.
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug(ex, "Could not send status {Code} for {Method}", code, context.Method);
            }
        }
    }

    private void WriteUnknownMethod(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcHeaders.ContentType;
        response.Headers[GrpcHeaders.Status] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcHeaders.Message] = StatusMessageEncoding.Encode($"Method {path} is not implemented.");
        Metrics.RecordUnknown(StatusCode.Unimplemented);
    }
}
