namespace Danbao.Grpc;

/// <summary>Limits and defaults of the gRPC server.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (after decompression); larger → RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent; larger → RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxSendMessageSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Compress responses with gzip when the client accepts it (per call override: <see cref="ServerCallContext.CompressResponses"/>).</summary>
    public bool CompressResponses { get; set; }

    /// <summary>Upper bound on any call's deadline; a longer or absent grpc-timeout is cut to this. Null: no bound.</summary>
    public TimeSpan? MaxDeadline { get; set; }

    /// <summary>
    /// Called once per call after the final status is decided (including failures that happen
    /// outside interceptors, such as an oversized response): the place for access logs. Must not throw.
    /// </summary>
    public Action<ServerCallContext, StatusCode, TimeSpan>? CallCompleted { get; set; }

    internal void Validate()
    {
        const int hardMax = 64 * 1024 * 1024;
        if (MaxReceiveMessageSizeBytes is <= 0 or > hardMax || MaxSendMessageSizeBytes is <= 0 or > hardMax)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSizeBytes), $"Message size limits must be in 1..{hardMax} bytes.");
        }
        if (MaxDeadline is { } max && (max <= TimeSpan.Zero || max > GrpcTimeout.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeadline), $"MaxDeadline must be in (0, {GrpcTimeout.Max}].");
        }
    }
}
