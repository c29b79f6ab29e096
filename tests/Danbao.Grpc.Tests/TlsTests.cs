using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
using Grpc.Core;
using Grpc.Health.V1;

namespace Danbao.Grpc.Tests;

/// <summary>DanbaoHost over TLS (ALPN h2) with optional client certificates from our CA (--tls-cert, --tls-key, --client-ca).</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private TransportHost _host = null!;

    public async Task InitializeAsync() => _host = await TransportHost.StartAsync((settings, dir) =>
    {
        var (certificate, key, ca) = _certificates.WriteServerPem(dir);
        return settings with { TlsCertificateFile = certificate, TlsKeyFile = key, ClientCaFile = ca };
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Tls_with_alpn_h2_serves_calls_to_a_client_trusting_our_ca()
    {
        using var client = new DanbaoClient(_host.Address, null, new DanbaoClientOptions { TrustedServerRoots = [_certificates.Ca] });
        var health = await new Health.HealthClient(client.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task A_client_refuses_a_server_certificate_from_an_untrusted_root()
    {
        using var client = new DanbaoClient(_host.Address, null, new DanbaoClientOptions { TrustedServerRoots = [_certificates.OtherCa] });
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(client.Channel).CheckAsync(new HealthCheckRequest()));
        // grpc-dotnet reports the failed handshake as INTERNAL; what failed is the server certificate's validation.
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        var http = Assert.IsType<HttpRequestException>(ex.Status.DebugException);
        Assert.IsType<System.Security.Authentication.AuthenticationException>(http.InnerException);
    }

    [Fact]
    public async Task A_registered_certificate_from_the_trusted_ca_identifies_the_caller()
    {
        var registered = await _host.Sdk("admin", Trusting()).Identity.RegisterClientCertificateAsync(new RegisterClientCertificateRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", CertificatePem = _certificates.Client.ExportCertificatePem(),
        });
        Assert.StartsWith("clientCertificates/", registered.Name, StringComparison.Ordinal);

        using var withCertificate = new DanbaoClient(_host.Address, null, Trusting(_certificates.Client));
        var who = await withCertificate.Identity.WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal(("institutions/icbc-gz", "mtls"), (who.Institution, who.AuthenticatedBy));
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused_at_the_handshake()
    {
        using var foreign = new DanbaoClient(_host.Address, null, Trusting(_certificates.ForeignClient));
        // Even the open health service is out of reach: the connection itself is refused.
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(foreign.Channel).CheckAsync(new HealthCheckRequest()));
        // TLS 1.3 checks the client's certificate after the client has finished its side of the handshake:
        // the request may already be on its way when the server drops the connection, which the client
        // reports as UNAVAILABLE or INTERNAL. Either way it is the transport failing (DebugException),
        // never a status the server sent.
        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{ex.StatusCode}: {ex.Status.Detail}");
        Assert.NotNull(ex.Status.DebugException);
    }

    private DanbaoClientOptions Trusting(System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null) =>
        new() { TrustedServerRoots = [_certificates.Ca], ClientCertificate = clientCertificate };
}
