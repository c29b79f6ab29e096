using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>A client certificate registered to an institution authenticates as that institution over mTLS.</summary>
public sealed class MtlsTests(TlsDanbaoServer server) : IClassFixture<TlsDanbaoServer>
{
    [Fact]
    public async Task A_registered_client_certificate_authenticates_as_its_institution()
    {
        var admin = server.As("admin");
        var registered = await admin.Identity.RegisterClientCertificateAsync(new RegisterClientCertificateRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", CertificatePem = server.ClientCertificate.ExportCertificatePem(),
        });
        Assert.StartsWith("clientCertificates/", registered.Name, StringComparison.Ordinal);

        var who = await server.WithCertificate(server.ClientCertificate).Identity.WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal("institutions/icbc-gz", who.Institution);
        Assert.Equal(Role.Bank, who.Role);
        Assert.Equal("mtls", who.AuthenticatedBy);
    }

    [Fact]
    public async Task A_certificate_from_the_trusted_ca_that_is_not_registered_is_unauthenticated()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            server.WithCertificate(server.UnregisteredClientCertificate).Identity.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("CERTIFICATE_NOT_REGISTERED", refused.Reason());
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused_at_the_handshake()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            server.WithCertificate(server.ForeignClientCertificate).Identity.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        Assert.False(ex is RpcException { StatusCode: StatusCode.OK or StatusCode.PermissionDenied });
        if (ex is RpcException rpc)
        {
            // The transport failing (TLS 1.3 refuses the certificate after the client's side of the
            // handshake, so the client sees UNAVAILABLE or INTERNAL), never a status the server sent.
            Assert.True(rpc.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{rpc.StatusCode}: {rpc.Status.Detail}");
            Assert.NotNull(rpc.Status.DebugException);
        }
    }

    [Fact]
    public async Task Over_tls_an_api_key_still_works_without_a_certificate()
    {
        var who = await server.As("ccb-gz").Identity.WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal("institutions/ccb-gz", who.Institution);
        Assert.Equal("api-key", who.AuthenticatedBy);
    }
}
