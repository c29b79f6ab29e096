using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Danbao.Client;
using Danbao.Server.Hosting;

namespace Danbao.Server.Tests.Support;

/// <summary>The server over TLS with client certificates (mTLS), with a CA, server and client certificates made for the test.</summary>
public sealed class TlsDanbaoServer : DanbaoServer
{
    public TlsDanbaoServer()
    {
        Ca = MakeCa("CN=Danbao Test CA");
        OtherCa = MakeCa("CN=Someone Else's CA");
        ClientCertificate = Issue(Ca, "CN=icbc-gz client", server: false);
        UnregisteredClientCertificate = Issue(Ca, "CN=unregistered client", server: false);
        ForeignClientCertificate = Issue(OtherCa, "CN=foreign client", server: false);
    }

    public X509Certificate2 Ca { get; }
    public X509Certificate2 OtherCa { get; }
    public X509Certificate2 ClientCertificate { get; }
    public X509Certificate2 UnregisteredClientCertificate { get; }
    public X509Certificate2 ForeignClientCertificate { get; }

    public override Uri Address => new($"https://localhost:{Host.Port}");

    protected override ServerSettings Configure(ServerSettings settings)
    {
        var serverCertificate = Issue(Ca, "CN=localhost", server: true);
        File.WriteAllText(Path.Combine(Dir, "server.crt"), serverCertificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Dir, "server.key"), serverCertificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(Dir, "ca.crt"), Ca.ExportCertificatePem());
        return settings with
        {
            TlsCertificateFile = Path.Combine(Dir, "server.crt"),
            TlsKeyFile = Path.Combine(Dir, "server.key"),
            ClientCaFile = Path.Combine(Dir, "ca.crt"),
        };
    }

    protected override DanbaoClientOptions ClientOptions() => new() { TrustedServerRoots = [Ca] };

    /// <summary>A client that presents <paramref name="certificate"/> (and no API key unless given).</summary>
    public DanbaoClient WithCertificate(X509Certificate2? certificate, string? apiKey = null) =>
        Track(new DanbaoClient(Address, apiKey, new DanbaoClientOptions
        {
            ClientCertificate = certificate,
            TrustedServerRoots = [Ca],
        }));

    private static X509Certificate2 MakeCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        // Round-trip through PFX so the key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }
}
