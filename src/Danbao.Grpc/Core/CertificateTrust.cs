using System.Security.Cryptography.X509Certificates;

namespace Danbao.Grpc;

/// <summary>Validates a peer certificate against our own roots rather than the machine store.</summary>
public static class CertificateTrust
{
    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> and is time-valid.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Private CAs in this deployment publish no CRLs; revocation is by re-issuing roots.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
