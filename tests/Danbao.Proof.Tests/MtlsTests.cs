using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Proof.Tests.Support;
using Danbao.TestSupport;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// mTLS with a real gRPC implementation (python3-grpcio) and certificates made here: a registered
/// certificate is its institution; an unregistered one from the trusted CA is UNAUTHENTICATED;
/// one from another CA never gets past the handshake.
/// </summary>
[Collection(ProofCollection.Name)]
public sealed class MtlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Client_certificates_authenticate_only_when_registered_and_from_the_trusted_CA()
    {
        var watch = Stopwatch.StartNew();
        var dir = Directory.CreateTempSubdirectory("danbao-proof-mtls-").FullName;
        try
        {
            using var ca = Authority("CN=Danbao proof CA");
            using var foreignCa = Authority("CN=Someone else's CA");
            WritePem(dir, "ca", ca, key: null);
            using var serverCert = Issue(ca, "CN=localhost", server: true, dir, "server");
            using var registered = Issue(ca, "CN=icbc-gz partner gateway", server: false, dir, "registered");
            using var unregistered = Issue(ca, "CN=unregistered gateway", server: false, dir, "unregistered");
            using var foreign = Issue(foreignCa, "CN=icbc-gz partner gateway", server: false, dir, "foreign");

            var postgres = await PostgresServer.GetAsync();
            var database = await postgres.CreateDatabaseAsync();
            await using var server = new ServerProcess(database.ConnectionString, dir,
                "--tls-cert", Path.Combine(dir, "server.pem"), "--tls-key", Path.Combine(dir, "server.key"), "--client-ca", Path.Combine(dir, "ca.pem"));
            await server.StartAsync();

            // The administrator binds the certificate to icbc-gz through the API (TLS, API key).
            using var admin = new DanbaoClient(new Uri($"https://localhost:{server.Port}"), server.Keys["admin"],
                new DanbaoClientOptions { TrustedServerRoots = [X509CertificateLoader.LoadCertificate(ca.RawData)] });
            var bound = await admin.Identity.RegisterClientCertificateAsync(new RegisterClientCertificateRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", CertificatePem = registered.ExportCertificatePem(),
            });
            Assert.Equal("clientCertificates/" + Convert.ToHexString(SHA256.HashData(registered.RawData)), bound.Name);

            var python = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            python.ArgumentList.Add(Path.Combine(ServerProcess.RepoRoot, "tests", "proof", "mtls_client.py"));
            python.ArgumentList.Add(server.Port.ToString());
            python.ArgumentList.Add(dir);
            using var run = Process.Start(python)!;
            var stdout = run.StandardOutput.ReadToEndAsync();
            var stderr = run.StandardError.ReadToEndAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await run.WaitForExitAsync(timeout.Token);
            }
            output.WriteLine(await stdout);
            output.WriteLine(await stderr);
            Assert.Equal(0, run.ExitCode);
            Assert.Equal(5, (await stdout).Split('\n').Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
            Assert.False(server.HasExited);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            output.WriteLine($"took {watch.Elapsed.TotalSeconds:F1} s");
        }
    }

    private static X509Certificate2 Authority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server, string dir, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        WritePem(dir, name, certificate, key);
        return certificate;
    }

    private static void WritePem(string dir, string name, X509Certificate2 certificate, ECDsa? key)
    {
        File.WriteAllText(Path.Combine(dir, name + ".pem"), certificate.ExportCertificatePem() + "\n");
        if (key is not null)
        {
            File.WriteAllText(Path.Combine(dir, name + ".key"), key.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }
}
