using System.Security.Cryptography.X509Certificates;

namespace Danbao.Grpc;

/// <summary>Loads certificates for TLS from PFX or PEM files.</summary>
public static class CertificateFiles
{
    /// <summary>Loads a PKCS#12 (.pfx/.p12) file, with its private key.</summary>
    public static X509Certificate2 LoadPfx(string path, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.Exportable);

    /// <summary>Loads a PEM certificate and PEM private key (PKCS#8, RSA or EC).</summary>
    public static X509Certificate2 LoadPem(string certificatePath, string privateKeyPath)
    {
        using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certificatePath, privateKeyPath);
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
}
