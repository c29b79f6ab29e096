using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Danbao.Grpc;

/// <summary>Who may connect over TLS: client certificates required (mTLS) and the roots that must have issued them.</summary>
/// <param name="TrustedClientRoots">CA certificates client certificates must chain to.</param>
/// <param name="Required">True: a client without a valid certificate is refused during the handshake.</param>
public sealed record GrpcClientCertificatePolicy(X509Certificate2Collection TrustedClientRoots, bool Required = true);

/// <summary>Kestrel listen options for gRPC: h2c (prior knowledge) or TLS with ALPN h2, optionally mTLS.</summary>
public static class GrpcKestrel
{
    /// <summary>
    /// Server-wide HTTP/2 settings suited to gRPC: larger flow-control windows (a 4 MiB message
    /// should not stall on 64 KiB windows), keep-alive pings to find dead peers, no Server header.
    /// </summary>
    public static KestrelServerOptions UseGrpcDefaults(this KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.AddServerHeader = false;
        kestrel.Limits.Http2.InitialConnectionWindowSize = 2 * 1024 * 1024;
        kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        return kestrel;
    }

    /// <summary>
    /// Listens for cleartext HTTP/2 with prior knowledge. HTTP/2 only: Http1AndHttp2 without TLS
    /// would silently mean HTTP/1.1, which cannot carry gRPC trailers.
    /// </summary>
    public static void ListenH2c(this KestrelServerOptions kestrel, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
    }

    /// <summary>
    /// Listens for TLS with ALPN h2 using <paramref name="serverCertificate"/> (with private key).
    /// With <paramref name="clientCertificates"/>, asks for client certificates and accepts only
    /// those that chain to the given roots; the certificate is then on
    /// <see cref="ServerCallContext.ClientCertificate"/>.
    /// </summary>
    public static void ListenTls(this KestrelServerOptions kestrel, IPAddress address, int port,
        X509Certificate2 serverCertificate, GrpcClientCertificatePolicy? clientCertificates = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(serverCertificate);
        if (!serverCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate needs its private key.", nameof(serverCertificate));
        }
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                if (clientCertificates is null)
                {
                    https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
                    return;
                }
                https.ClientCertificateMode = clientCertificates.Required
                    ? ClientCertificateMode.RequireCertificate
                    : ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                    CertificateTrust.ChainsTo(certificate, clientCertificates.TrustedClientRoots);
            });
        });
    }
}
