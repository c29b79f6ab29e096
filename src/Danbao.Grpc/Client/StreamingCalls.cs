using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>
/// A bidi call in progress: write with <see cref="RequestStream"/> (then complete it), read
/// with <see cref="ReadAllAsync"/>. Dispose to cancel.
/// </summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    private readonly ServerStreamingCall<TResponse> _responses;
    private readonly ClientStreamWriter<TRequest> _writer;

    internal DuplexStreamingCall(ClientStreamWriter<TRequest> writer, ServerStreamingCall<TResponse> responses)
    {
        _writer = writer;
        _responses = responses;
    }

    /// <summary>The request messages.</summary>
    public IClientStreamWriter<TRequest> RequestStream => _writer;

    /// <summary>Response headers (a trailers-only failure surfaces here as RpcException).</summary>
    public Task<Metadata> ResponseHeadersAsync() => _responses.ResponseHeadersAsync();

    /// <summary>Each response message; throws RpcException when the call ends with a non-OK status.</summary>
    public IAsyncEnumerable<TResponse> ReadAllAsync() => _responses.ReadAllAsync();

    /// <summary>The trailers, once the responses have been read to the end.</summary>
    public Metadata GetTrailers() => _responses.GetTrailers();

    /// <summary>Cancels the call if still running.</summary>
    public void Dispose()
    {
        _writer.Abort();
        _responses.Dispose();
    }
}

/// <summary>A client-streaming call in progress: write the requests, complete, then await <see cref="ResponseAsync"/>.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    private readonly DuplexStreamingCall<TRequest, TResponse> _call;
    private readonly Lazy<Task<TResponse>> _response;

    internal ClientStreamingCall(DuplexStreamingCall<TRequest, TResponse> call)
    {
        _call = call;
        _response = new Lazy<Task<TResponse>>(ReadSingleAsync);
    }

    /// <summary>The request messages.</summary>
    public IClientStreamWriter<TRequest> RequestStream => _call.RequestStream;

    /// <summary>The single response; throws RpcException on a non-OK status.</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    /// <summary>The trailers, once the response has arrived.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if still running.</summary>
    public void Dispose() => _call.Dispose();

    private async Task<TResponse> ReadSingleAsync()
    {
        TResponse? response = null;
        await foreach (TResponse message in _call.ReadAllAsync().ConfigureAwait(false))
        {
            if (response is not null)
            {
                throw new RpcException(StatusCode.Internal, "Server sent more than one response message for a client-streaming call.");
            }
            response = message;
        }
        return response ?? throw new RpcException(StatusCode.Internal, "Server sent no response message.");
    }
}
