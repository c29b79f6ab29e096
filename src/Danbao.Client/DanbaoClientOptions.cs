using System.Security.Cryptography.X509Certificates;

namespace Danbao.Client;

/// <summary>Connection settings of a <see cref="DanbaoClient"/>.</summary>
public sealed class DanbaoClientOptions
{
    /// <summary>Client certificate for mTLS (instead of, or besides, an API key).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Roots to trust for the server's certificate (default: the system's).</summary>
    public X509Certificate2Collection? TrustedServerRoots { get; init; }

    /// <summary>Deadline of each call that sets none, retries included. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of a write that fails with UNAVAILABLE (1 = no retry). Default 5.</summary>
    public int WriteAttemptsMax { get; init; } = 5;

    /// <summary>Largest message sent or received. Default 4 MiB, the server's default.</summary>
    public int MaxMessageBytes { get; init; } = 4 * 1024 * 1024;
}
