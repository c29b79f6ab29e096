using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Danbao.Grpc;

/// <summary>
/// Everything a handler or interceptor may know about the call in progress: method, headers,
/// deadline, peer, the decoded request, and the means to send response headers and trailers.
/// One instance per call; not thread-safe (a call is served by one logical flow).
/// </summary>
public sealed class ServerCallContext : IDisposable
{
    private readonly GrpcServerOptions _options;
    private CancellationTokenSource? _deadlineSource;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object?>? _items;
    private bool _gzipHeaderSent;

    internal ServerCallContext(HttpContext httpContext, ServerMethod method, GrpcServerOptions options)
    {
        HttpContext = httpContext;
        ServerMethod = method;
        _options = options;
        CompressResponses = options.CompressResponses;
        CancellationToken = httpContext.RequestAborted;
    }

    /// <summary>Full method path, e.g. <c>/grpc.testing.TestService/EmptyCall</c>.</summary>
    public string Method => ServerMethod.Path;

    /// <summary>The protobuf descriptor of the method.</summary>
    public MethodDescriptor MethodDescriptor => ServerMethod.Descriptor;

    /// <summary>The handler method bound to this rpc (read attributes such as roles from it); null for unimplemented methods.</summary>
    public MethodInfo? HandlerMethod => ServerMethod.HandlerMethod;

    /// <summary>The ASP.NET Core context: connection, client certificate, peer address.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The decoded request message of a unary or server-streaming call, once read.</summary>
    public IMessage? Request { get; internal set; }

    /// <summary>True when the request message arrived gzip-compressed.</summary>
    public bool RequestCompressed { get; internal set; }

    /// <summary>Deadline in UTC; <see cref="DateTime.MaxValue"/> when the client sent none.</summary>
    public DateTime Deadline { get; private set; } = DateTime.MaxValue;

    /// <summary>Cancelled when the client goes away or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>True once the deadline has passed.</summary>
    public bool DeadlineExceeded => _deadlineSource is { IsCancellationRequested: true } && !HttpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Request metadata (protocol headers such as content-type and grpc-timeout excluded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Trailers sent with the status; handlers and interceptors may add to them.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>Per-call state for the host (e.g. the authenticated caller).</summary>
    public IDictionary<object, object?> Items => _items ??= new Dictionary<object, object?>();

    /// <summary>Peer address as "ip:port".</summary>
    public string Peer => $"{HttpContext.Connection.RemoteIpAddress}:{HttpContext.Connection.RemotePort}";

    /// <summary>The client's TLS certificate, when mTLS presented one.</summary>
    public X509Certificate2? ClientCertificate => HttpContext.Connection.ClientCertificate;

    /// <summary>
    /// Compress response messages with gzip (only if the client accepts gzip). Must be true
    /// before the response headers go out for any message of the call to be compressed; after
    /// that it may be toggled per message.
    /// </summary>
    public bool CompressResponses { get; set; }

    /// <summary>True once response headers have been committed.</summary>
    public bool ResponseHeadersSent { get; private set; }

    internal ServerMethod ServerMethod { get; }

    internal bool RequestGzip { get; private set; }

    internal bool AcceptsGzip { get; private set; }

    internal int MaxReceiveBytes => _options.MaxReceiveMessageSizeBytes;

    internal int MaxSendBytes => _options.MaxSendMessageSizeBytes;

    internal bool CompressNextMessage => _gzipHeaderSent && CompressResponses;

    /// <summary>Sends response headers now (at most once, before any message).</summary>
    public async Task WriteResponseHeadersAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (ResponseHeadersSent)
        {
            throw new InvalidOperationException("Response headers were already sent.");
        }
        IHeaderDictionary target = HttpContext.Response.Headers;
        foreach (Metadata.Entry entry in headers)
        {
            target.Append(entry.Key, entry.IsBinary ? MetadataBase64.Encode(entry.ValueBytes!) : entry.Value);
        }
        EnsureResponseHeaders();
        await HttpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _deadlineSource?.Dispose();

    /// <summary>Reads grpc-timeout and grpc-encoding; throws RpcException for malformed or unsupported values.</summary>
    internal void ReadProtocolHeaders()
    {
        IHeaderDictionary headers = HttpContext.Request.Headers;
        AcceptsGzip = GrpcHeaders.AcceptsGzip(headers[GrpcHeaders.AcceptEncoding]);
        string? encoding = headers[GrpcHeaders.Encoding];
        if (!string.IsNullOrEmpty(encoding) && !encoding.Equals(GrpcHeaders.Identity, StringComparison.OrdinalIgnoreCase))
        {
            if (!encoding.Equals(GrpcHeaders.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: {GrpcHeaders.SupportedEncodings}.");
            }
            RequestGzip = true;
        }
        TimeSpan? timeout = null;
        StringValues timeoutValue = headers[GrpcHeaders.Timeout];
        if (!StringValues.IsNullOrEmpty(timeoutValue))
        {
            if (!GrpcTimeout.TryParse(timeoutValue, out TimeSpan parsed))
            {
                throw new RpcException(StatusCode.Internal, $"Malformed grpc-timeout '{timeoutValue}'.");
            }
            timeout = parsed;
        }
        if (_options.MaxDeadline is { } max && (timeout is null || timeout > max))
        {
            timeout = max;
        }
        if (timeout is { } t)
        {
            Deadline = DateTime.UtcNow + t;
            _deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
            _deadlineSource.CancelAfter(t);
            CancellationToken = _deadlineSource.Token;
        }
    }

    /// <summary>Commits status 200, content-type and encoding headers before the first message.</summary>
    internal void EnsureResponseHeaders()
    {
        if (ResponseHeadersSent)
        {
            return;
        }
        HttpResponse response = HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcHeaders.ContentType;
        if (AcceptsGzip && CompressResponses)
        {
            response.Headers[GrpcHeaders.Encoding] = GrpcHeaders.Gzip;
            _gzipHeaderSent = true;
        }
        if (RequestGzip || _gzipHeaderSent)
        {
            // Optional header; sent only when compression is in play, since each extra
            // non-standard response header costs Kestrel a dictionary per call.
            response.Headers[GrpcHeaders.AcceptEncoding] = GrpcHeaders.SupportedEncodings;
        }
        ResponseHeadersSent = true;
    }

    /// <summary>Sends the final status: as trailers, or in the headers (trailers-only) when nothing was sent.</summary>
    internal void WriteStatus(StatusCode code, string? message, Google.Rpc.Status? richStatus)
    {
        HttpResponse response = HttpContext.Response;
        bool trailersOnly = !ResponseHeadersSent && !response.HasStarted;
        if (trailersOnly)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcHeaders.ContentType;
            if (code == StatusCode.Unimplemented || RequestGzip)
            {
                // Tells a client whose grpc-encoding was refused what it may use instead.
                response.Headers[GrpcHeaders.AcceptEncoding] = GrpcHeaders.SupportedEncodings;
            }
        }
        AddStatusField(response, trailersOnly, GrpcHeaders.Status, ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(message))
        {
            AddStatusField(response, trailersOnly, GrpcHeaders.Message, StatusMessageEncoding.Encode(message));
        }
        if (richStatus is not null)
        {
            AddStatusField(response, trailersOnly, GrpcHeaders.StatusDetails, MetadataBase64.Encode(richStatus.ToByteArray()));
        }
        if (_responseTrailers is not null)
        {
            foreach (Metadata.Entry entry in _responseTrailers)
            {
                AddStatusField(response, trailersOnly, entry.Key, entry.IsBinary ? MetadataBase64.Encode(entry.ValueBytes!) : entry.Value!);
            }
        }
    }

    // Trailers-only responses carry the status in the headers; otherwise it goes in the trailers.
    private static void AddStatusField(HttpResponse response, bool trailersOnly, string key, string value)
    {
        if (trailersOnly)
        {
            response.Headers.Append(key, value);
        }
        else
        {
            response.AppendTrailer(key, value);
        }
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, StringValues> header in HttpContext.Request.Headers)
        {
            if (GrpcHeaders.IsReserved(header.Key))
            {
                continue;
            }
            bool binary = Metadata.IsBinaryKey(header.Key);
            foreach (string? value in header.Value)
            {
                if (value is null || metadata.Count >= Metadata.EntryCountMax)
                {
                    continue;
                }
                AddHeader(metadata, header.Key, value, binary);
            }
        }
        return metadata;
    }

    private static void AddHeader(Metadata metadata, string key, string value, bool binary)
    {
        try
        {
            if (!binary)
            {
                metadata.Add(key, value);
                return;
            }
            // A peer may fold repeated -bin headers into one comma-separated value.
            foreach (string part in value.Split(','))
            {
                if (MetadataBase64.TryDecode(part, out byte[] bytes))
                {
                    metadata.Add(key, bytes);
                }
            }
        }
        catch (ArgumentException)
        {
            // A header that is not valid gRPC metadata (odd key or value) is not shown to handlers.
        }
    }
}
