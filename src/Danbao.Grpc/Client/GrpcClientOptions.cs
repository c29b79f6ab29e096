using System.Security.Cryptography.X509Certificates;

namespace Danbao.Grpc;

/// <summary>Where and how a <see cref="GrpcClient"/> connects.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>Server address: http://host:port for h2c (prior knowledge), https://host:port for TLS.</summary>
    public required Uri Address { get; init; }

    /// <summary>Client certificate (with private key) presented for mTLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Roots the server certificate must chain to; null trusts the machine store.</summary>
    public X509Certificate2Collection? TrustedServerRoots { get; init; }

    /// <summary>Largest response message accepted; larger → RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSizeBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent; larger → RESOURCE_EXHAUSTED without sending. Default 4 MiB.</summary>
    public int MaxSendMessageSizeBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Timeout applied to calls whose <see cref="CallOptions"/> set none. Null: no deadline.</summary>
    public TimeSpan? DefaultTimeout { get; init; }

    /// <summary>Retry of UNAVAILABLE for calls that carry a request_id.</summary>
    public GrpcRetryOptions Retry { get; init; } = new();

    /// <summary>Replaces the HTTP handler (tests); the client then does not own or configure it.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}

/// <summary>
/// Bounded retry with exponential backoff and jitter, applied only to unary calls whose request
/// has a non-empty <c>request_id</c> string field (the server deduplicates on it, so a retry
/// cannot apply a command twice), and only on UNAVAILABLE (including connection failures).
/// </summary>
public sealed class GrpcRetryOptions
{
    /// <summary>Hard ceiling on attempts, whatever is configured.</summary>
    public const int AttemptsCeiling = 10;

    /// <summary>Attempts in total, including the first (1 = no retry). Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Delay before the first retry; doubles each time. Default 100 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest delay between attempts. Default 2 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        if (MaxAttempts is < 1 or > AttemptsCeiling)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), $"MaxAttempts must be in 1..{AttemptsCeiling}.");
        }
        if (BaseDelay <= TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), "Need 0 < BaseDelay <= MaxDelay.");
        }
    }
}
