using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Google.Protobuf;
using Grpc.Testing;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc.Tests;

/// <summary>What the host relies on: logging of crashes, deadlines on the context, certificates from files.</summary>
public sealed class ServerHostingTests
{
    private const string ProbeCall = "/danbao.grpctest.v1.Probe/Call";

    [Fact]
    public async Task Handler_crash_is_logged_with_its_exception_but_the_client_sees_a_generic_message()
    {
        var logs = new CapturingLoggerProvider();
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            ConfigureLogging = logging => logging.AddProvider(logs),
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], new ProbeHandler()),
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}") });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "crash" }));
        Assert.Equal((StatusCode.Internal, ServerErrors.InternalMessage), (ex.StatusCode, ex.StatusMessage));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException { Message: "secret internal detail" }
            && e.Message.Contains(ProbeCall, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handler_sees_the_deadline_the_client_sent()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], new ProbeHandler()),
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}") });
        ProbeReply withDeadline = await client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "deadline" },
            new CallOptions { Timeout = TimeSpan.FromSeconds(5) });
        Assert.InRange(withDeadline.Attempt, 3000, 5000);
        ProbeReply without = await client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "deadline" });
        Assert.Equal(-1, without.Attempt);
    }

    [Fact]
    public async Task Server_max_deadline_caps_calls_without_a_timeout()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            Grpc = new GrpcServerOptions { MaxDeadline = TimeSpan.FromMilliseconds(200) },
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], new ProbeHandler()),
        });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"http://127.0.0.1:{server.Port}") });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<ProbeRequest, ProbeReply>(ProbeCall, new ProbeRequest { Mode = "sleep" }));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Tls_certificate_loads_from_pem_and_pfx_files()
    {
        using var certificates = new TestCertificates();
        string dir = Directory.CreateTempSubdirectory("danbao-grpc-certs").FullName;
        try
        {
            string certPath = Path.Combine(dir, "server.pem");
            string keyPath = Path.Combine(dir, "server.key");
            string pfxPath = Path.Combine(dir, "server.pfx");
            string caPath = Path.Combine(dir, "ca.pem");
            File.WriteAllText(certPath, certificates.Server.ExportCertificatePem());
            File.WriteAllText(keyPath, certificates.Server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllBytes(pfxPath, certificates.Server.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "pw"));
            File.WriteAllText(caPath, certificates.Ca.ExportCertificatePem());

            foreach (var serverCert in new[] { CertificateFiles.LoadPem(certPath, keyPath), CertificateFiles.LoadPfx(pfxPath, "pw") })
            {
                await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions { TlsCertificate = serverCert });
                using var client = new GrpcClient(new GrpcClientOptions
                {
                    Address = new Uri($"https://localhost:{server.Port}"),
                    TrustedServerRoots = CertificateFiles.LoadPemBundle(caPath),
                });
                await client.UnaryAsync<Empty, Empty>("/grpc.testing.TestService/EmptyCall", new Empty());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
