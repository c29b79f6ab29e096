using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>
/// One HTTP/2 exchange of a call: sends the request, exposes the response headers, reads
/// messages, then the status. Turns transport and cancellation failures into RpcException.
/// </summary>
internal sealed class ClientCall : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcHeaders.ContentType);

    private readonly HttpClient _http;
    private readonly GrpcClientOptions _options;
    private readonly CallOptions _callOptions;
    private readonly DateTime? _deadline;
    private readonly CancellationToken _cancellationToken;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private bool _gzip;

    public ClientCall(HttpClient http, GrpcClientOptions options, CallOptions callOptions, DateTime? deadline, CancellationToken cancellationToken)
    {
        _http = http;
        _options = options;
        _callOptions = callOptions;
        _deadline = deadline;
        _cancellationToken = cancellationToken;
    }

    public Metadata Headers { get; private set; } = new();

    public Metadata Trailers { get; private set; } = new();

    /// <summary>Sends the request and waits for response headers. A trailers-only failure throws here.</summary>
    public Task<bool> StartAsync(string path, byte[] body) => StartAsync(path, new ByteArrayContent(body));

    /// <summary>As above, with a request body that may still be streaming (client-streaming and bidi calls).</summary>
    public async Task<bool> StartAsync(string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = GrpcContentType;
        AddHeaders(request);
        try
        {
            _response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } rpc)
        {
            throw rpc;
        }
        if (_response.StatusCode != HttpStatusCode.OK)
        {
            throw ClientWire.FromHttpStatus(_response.StatusCode);
        }
        Headers = ClientWire.ToMetadata(_response.Headers);
        // Trailers-only: the status came in the headers and there is no body.
        RpcException? failure = ClientWire.StatusFrom(_response.Headers, Headers, out bool statusInHeaders);
        if (failure is not null)
        {
            throw failure;
        }
        if (statusInHeaders)
        {
            Trailers = Headers;
            return false;
        }
        _gzip = string.Equals(ClientWire.Single(_response.Headers, GrpcHeaders.Encoding), GrpcHeaders.Gzip, StringComparison.OrdinalIgnoreCase);
        return true;
    }

    /// <summary>The next response message, or null at the end (after which the status was checked).</summary>
    public async Task<IMessage?> ReadAsync(MessageParser parser)
    {
        try
        {
            _body ??= await _response!.Content.ReadAsStreamAsync(_cancellationToken).ConfigureAwait(false);
            IMessage? message = await ClientWire.ReadMessageAsync(_body, parser, _options.MaxReceiveMessageSizeBytes, _gzip, _cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                CheckTrailers();
            }
            return message;
        }
        catch (Exception ex)
        {
            // A failed read ends the call: dispose now so the stream is reset (RST_STREAM) and the server stops.
            Dispose();
            if (Translate(ex) is { } rpc)
            {
                throw rpc;
            }
            throw;
        }
    }

    public void Dispose()
    {
        _body?.Dispose();
        _response?.Dispose();
    }

    private void CheckTrailers()
    {
        // TrailingHeaders fill only once the body has been read to its end, which it now has.
        HttpResponseHeaders trailers = _response!.TrailingHeaders;
        Trailers = ClientWire.ToMetadata(trailers);
        RpcException? failure = ClientWire.StatusFrom(trailers, Trailers, out bool present);
        if (failure is not null)
        {
            throw failure;
        }
        if (!present)
        {
            throw new RpcException(StatusCode.Internal, "Response ended without grpc-status.", null, Trailers);
        }
    }

    private void AddHeaders(HttpRequestMessage request)
    {
        HttpRequestHeaders headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation(GrpcHeaders.AcceptEncoding, GrpcHeaders.SupportedEncodings);
        if (_callOptions.CompressRequest)
        {
            headers.TryAddWithoutValidation(GrpcHeaders.Encoding, GrpcHeaders.Gzip);
        }
        if (_deadline is { } deadline)
        {
            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded before the call was sent.");
            }
            headers.TryAddWithoutValidation(GrpcHeaders.Timeout, GrpcTimeout.Format(remaining));
        }
        if (_callOptions.BearerToken is { } token)
        {
            headers.TryAddWithoutValidation("authorization", "Bearer " + token);
        }
        if (_callOptions.Headers is { } metadata)
        {
            foreach (Metadata.Entry entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? MetadataBase64.Encode(entry.ValueBytes!) : entry.Value);
            }
        }
    }

    private RpcException? Translate(Exception exception) => exception switch
    {
        RpcException => null,
        OperationCanceledException when _callOptions.CancellationToken.IsCancellationRequested =>
            new RpcException(StatusCode.Cancelled, "Call cancelled by the caller."),
        OperationCanceledException when _cancellationToken.IsCancellationRequested =>
            new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded."),
        HttpRequestException or IOException =>
            new RpcException(StatusCode.Unavailable, "Transport failure: " + exception.Message),
        _ => null,
    };
}
