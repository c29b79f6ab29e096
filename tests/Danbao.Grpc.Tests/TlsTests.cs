using System.Diagnostics;
using Danbao.Grpc.Interop;
using Danbao.Grpc.Tests.Probe;
using Danbao.Grpc.Tests.Support;
using Grpc.Testing;

namespace Danbao.Grpc.Tests;

public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Tls_with_alpn_h2_serves_calls()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions { TlsCertificate = _certificates.Server });
        using var client = new GrpcClient(new GrpcClientOptions { Address = new Uri($"https://localhost:{server.Port}"), TrustedServerRoots = _certificates.CaCollection });
        await client.UnaryAsync<Empty, Empty>("/grpc.testing.TestService/EmptyCall", new Empty());
    }

    [Fact]
    public async Task Client_refuses_a_server_certificate_from_an_untrusted_root()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions { TlsCertificate = _certificates.Server });
        using var client = new GrpcClient(new GrpcClientOptions
        {
            Address = new Uri($"https://localhost:{server.Port}"),
            TrustedServerRoots = [_certificates.OtherCa],
        });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync<Empty, Empty>("/grpc.testing.TestService/EmptyCall", new Empty()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Mutual_tls_requires_a_client_certificate_from_the_trusted_ca_and_exposes_it()
    {
        var probe = new ProbeHandler();
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            TlsCertificate = _certificates.Server,
            ClientCertificates = new GrpcClientCertificatePolicy(_certificates.CaCollection),
            Configure = r => r.AddService(ProbeReflection.Descriptor.Services[0], probe),
        });
        var address = new Uri($"https://localhost:{server.Port}");

        using var withCert = new GrpcClient(new GrpcClientOptions { Address = address, TrustedServerRoots = _certificates.CaCollection, ClientCertificate = _certificates.Client });
        ProbeReply who = await withCert.UnaryAsync<ProbeRequest, ProbeReply>("/danbao.grpctest.v1.Probe/Call", new ProbeRequest { Mode = "whoami" });
        Assert.Equal("CN=danbao-test-client", who.Text);

        using var withoutCert = new GrpcClient(new GrpcClientOptions { Address = address, TrustedServerRoots = _certificates.CaCollection });
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => withoutCert.UnaryAsync<Empty, Empty>("/grpc.testing.TestService/EmptyCall", new Empty()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Python_grpcio_passes_interop_cases_over_mutual_tls()
    {
        await using InteropServer server = await InteropServer.StartAsync(0, new InteropServerOptions
        {
            TlsCertificate = _certificates.Server,
            ClientCertificates = new GrpcClientCertificatePolicy(_certificates.CaCollection),
        });
        string dir = Directory.CreateTempSubdirectory("danbao-grpc-tls").FullName;
        try
        {
            _certificates.WritePem(dir);
            (int exit, string output) = await PythonInterop.RunAsync(server.Port,
                "--tls", "--ca", Path.Combine(dir, "ca.pem"), "--cert", Path.Combine(dir, "client.pem"), "--key", Path.Combine(dir, "client.key"),
                "--cases", "empty_unary,large_unary,client_compressed_unary,server_streaming,custom_metadata,special_status_message,health_check,reflection_v1alpha");
            Assert.True(exit == 0, output);
            Assert.Contains("PASS empty_unary", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
