using Google.Protobuf;

namespace Danbao.Grpc;

/// <summary>Writes each response message and flushes it, so streamed messages reach the client as they are produced.</summary>
internal sealed class ServerStreamWriter<T> : IServerStreamWriter<T> where T : class, IMessage<T>
{
    private readonly ServerCallContext _context;
    private int _writing;

    public ServerStreamWriter(ServerCallContext context) => _context = context;

    public async Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _context.CancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("Only one write may be pending at a time.");
        }
        try
        {
            _context.EnsureResponseHeaders();
            var writer = _context.HttpContext.Response.BodyWriter;
            MessageFrames.Write(writer, message, _context.CompressNextMessage, _context.MaxSendBytes);
            await writer.FlushAsync(_context.CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }
}

/// <summary>Reads request messages from the body as the client sends them.</summary>
internal sealed class RequestStreamReader<T> : IAsyncStreamReader<T> where T : class, IMessage<T>
{
    private readonly ServerCallContext _context;
    private readonly MessageParser _parser;
    private T? _current;
    private bool _finished;

    public RequestStreamReader(ServerCallContext context, MessageParser parser)
    {
        _context = context;
        _parser = parser;
    }

    public T Current => _current ?? throw new InvalidOperationException("No current message; call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return false;
        }
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _context.CancellationToken)
            : null;
        CancellationToken token = linked?.Token ?? _context.CancellationToken;
        (T? message, bool compressed) = await MessageFrames.ReadAsync<T>(_context.HttpContext.Request.BodyReader, _parser,
            _context.MaxReceiveBytes, _context.RequestGzip, token).ConfigureAwait(false);
        if (message is null)
        {
            _finished = true;
            return false;
        }
        _context.RequestCompressed = compressed;
        _current = message;
        return true;
    }
}
