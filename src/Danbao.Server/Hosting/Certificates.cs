using System.Security.Cryptography.X509Certificates;

namespace Danbao.Server.Hosting;

/// <summary>TLS material from PEM files, and client-certificate trust against our own CA (not the machine store).</summary>
public static class Certificates
{
    /// <summary>Loads a PEM certificate and PEM private key (PKCS#8, RSA or EC).</summary>
    public static X509Certificate2 LoadPem(string certificatePath, string privateKeyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, privateKeyPath);
        // Round-trip through PKCS#12: an ephemeral PEM key is not usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Loads CA certificates (one or more PEM blocks) to trust.</summary>
    public static X509Certificate2Collection LoadPemBundle(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> and is time-valid.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Private CAs in this deployment publish no CRLs; revocation is by unbinding the certificate.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
