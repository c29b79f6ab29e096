namespace Danbao.Grpc;

/// <summary>Per-call settings: metadata, deadline, cancellation, compression.</summary>
public sealed class CallOptions
{
    /// <summary>Request metadata sent as headers.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>Time allowed for the whole call (all retry attempts included); sent as grpc-timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Absolute deadline (UTC); wins over <see cref="Timeout"/> when both are set.</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the call; the call then fails with CANCELLED.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>gzip the request message (grpc-encoding: gzip).</summary>
    public bool CompressRequest { get; init; }

    /// <summary>Sets <c>authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? BearerToken { get; init; }

    internal static readonly CallOptions Default = new();

    internal DateTime? ResolveDeadline(TimeSpan? defaultTimeout)
    {
        if (Deadline is { } deadline)
        {
            return deadline.ToUniversalTime();
        }
        TimeSpan? timeout = Timeout ?? defaultTimeout;
        return timeout is { } t ? DateTime.UtcNow + t : null;
    }
}
