using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>
/// A server-streaming call in progress. Read with <see cref="ReadAllAsync"/>; headers arrive
/// before the first message, trailers after the last. Dispose to cancel.
/// </summary>
public sealed class ServerStreamingCall<TResponse> : IDisposable where TResponse : class, IMessage
{
    private readonly ClientCall _call;
    private readonly Task<bool> _started;
    private readonly MessageParser _parser;
    private readonly CancellationTokenSource _cancellation;
    private bool _hasBody = true;

    internal ServerStreamingCall(ClientCall call, Task<bool> started, MessageParser parser, CancellationTokenSource cancellation)
    {
        _call = call;
        _started = started;
        _parser = parser;
        _cancellation = cancellation;
    }

    /// <summary>Response headers; a trailers-only failure surfaces here as RpcException.</summary>
    public async Task<Metadata> ResponseHeadersAsync()
    {
        _hasBody = await _started.ConfigureAwait(false);
        return _call.Headers;
    }

    /// <summary>Each response message; throws RpcException when the call ends with a non-OK status.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync()
    {
        _hasBody = await _started.ConfigureAwait(false);
        if (!_hasBody)
        {
            yield break;
        }
        while (await _call.ReadAsync(_parser).ConfigureAwait(false) is { } message)
        {
            yield return (TResponse)message;
        }
    }

    /// <summary>The trailers, once the stream has been read to the end.</summary>
    public Metadata GetTrailers() => _call.Trailers;

    /// <summary>Cancels the call if still running and frees it.</summary>
    public void Dispose()
    {
        _cancellation.Cancel();
        _call.Dispose();
        _cancellation.Dispose();
    }
}
