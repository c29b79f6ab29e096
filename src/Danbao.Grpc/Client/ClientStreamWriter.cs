using System.Net;
using System.Threading.Channels;
using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>Sends the request messages of a client-streaming or bidi call.</summary>
public interface IClientStreamWriter<in T>
{
    /// <summary>Queues one message; waits while <see cref="ClientStreamWriter{T}.QueueLengthMax"/> messages are unsent.</summary>
    Task WriteAsync(T message);

    /// <summary>Ends the request stream (half-close); the server sees the end of its requests.</summary>
    Task CompleteAsync();
}

/// <summary>Frames messages into a bounded queue that <see cref="StreamingRequestContent"/> drains onto the HTTP/2 stream.</summary>
internal sealed class ClientStreamWriter<T> : IClientStreamWriter<T> where T : class, IMessage
{
    /// <summary>Unsent messages allowed before WriteAsync waits: back-pressure, not unbounded memory.</summary>
    public const int QueueLengthMax = 32;

    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLengthMax) { SingleReader = true });
    private readonly bool _compress;
    private readonly int _maxBytes;
    private readonly CancellationToken _cancellationToken;

    public ClientStreamWriter(bool compress, int maxBytes, CancellationToken cancellationToken)
    {
        _compress = compress;
        _maxBytes = maxBytes;
        _cancellationToken = cancellationToken;
        Content = new StreamingRequestContent(_queue.Reader);
    }

    public HttpContent Content { get; }

    public async Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] frame = ClientWire.FrameRequest(message, _compress, _maxBytes);
        try
        {
            await _queue.Writer.WriteAsync(frame, _cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The request stream was already completed or the call has ended.");
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(StatusCode.Cancelled, "Call ended before the message was sent.");
        }
    }

    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <summary>Called when the call ends, so a writer waiting on a full queue is released.</summary>
    public void Abort() => _queue.Writer.TryComplete();

    /// <summary>Request body that writes each framed message as soon as it is queued.</summary>
    private sealed class StreamingRequestContent(ChannelReader<byte[]> frames) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await foreach (byte[] frame in frames.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                // Flush each message: a bidi peer answers per message and must see it now.
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
