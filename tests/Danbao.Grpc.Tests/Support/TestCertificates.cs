using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Danbao.Grpc.Tests.Support;

/// <summary>A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Danbao Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        Server = Issue("CN=localhost", "1.3.6.1.5.5.7.3.1", san.Build());
        Client = Issue("CN=danbao-test-client", "1.3.6.1.5.5.7.3.2", null);
        OtherCa = X509CertificateLoader.LoadCertificate(
            new CertificateRequest("CN=Other CA", RSA.Create(2048), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)).Export(X509ContentType.Cert));
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 OtherCa { get; }

    public X509Certificate2Collection CaCollection => new(X509CertificateLoader.LoadCertificate(Ca.Export(X509ContentType.Cert)));

    /// <summary>Writes ca.pem, client.pem, client.key into <paramref name="directory"/> for the python client.</summary>
    public void WritePem(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "ca.pem"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "client.pem"), Client.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "client.key"), Client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
        OtherCa.Dispose();
    }

    private X509Certificate2 Issue(string subject, string ekuOid, X509Extension? san)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(ekuOid) }, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        using X509Certificate2 issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
