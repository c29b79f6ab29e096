using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Danbao.Grpc.Tests.Support;

/// <summary>
/// A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate, and a
/// second, untrusted CA with a client certificate of its own.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Ca = MakeCa("CN=Danbao Transport Test CA");
        OtherCa = MakeCa("CN=Someone Else's CA");
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        Server = Issue(Ca, "CN=localhost", "1.3.6.1.5.5.7.3.1", san.Build());
        Client = Issue(Ca, "CN=danbao-transport-client", "1.3.6.1.5.5.7.3.2", null);
        ForeignClient = Issue(OtherCa, "CN=foreign client", "1.3.6.1.5.5.7.3.2", null);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 ForeignClient { get; }

    /// <summary>Writes server.pem, server.key and ca.pem (what --tls-cert, --tls-key and --client-ca read) into <paramref name="directory"/>.</summary>
    public (string Certificate, string Key, string Ca) WriteServerPem(string directory)
    {
        var files = (Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key"), Path.Combine(directory, "ca.pem"));
        File.WriteAllText(files.Item1, Server.ExportCertificatePem());
        File.WriteAllText(files.Item2, Server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.Item3, Ca.ExportCertificatePem());
        return files;
    }

    /// <summary>Writes ca.pem, client.pem, client.key into <paramref name="directory"/> for the python client.</summary>
    public (string Ca, string Certificate, string Key) WriteClientPem(string directory)
    {
        var files = (Path.Combine(directory, "ca.pem"), Path.Combine(directory, "client.pem"), Path.Combine(directory, "client.key"));
        File.WriteAllText(files.Item1, Ca.ExportCertificatePem());
        File.WriteAllText(files.Item2, Client.ExportCertificatePem());
        File.WriteAllText(files.Item3, Client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return files;
    }

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
        Server.Dispose();
        Client.Dispose();
        ForeignClient.Dispose();
    }

    private static X509Certificate2 MakeCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string ekuOid, X509Extension? san)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ekuOid)], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
