namespace Danbao.Grpc;

/// <summary>Writes response messages of a server-streaming or bidi call. One write at a time.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message (flushed to the wire before the task completes).</summary>
    Task WriteAsync(T message);
}

/// <summary>Reads request messages of a client-streaming or bidi call, as they arrive.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Waits for the next message; false when the client has finished sending.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>Extensions for <see cref="IAsyncStreamReader{T}"/>.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Enumerates the remaining messages.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
