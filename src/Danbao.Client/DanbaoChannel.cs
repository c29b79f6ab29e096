using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client.Configuration;

namespace Danbao.Client;

/// <summary>How the SDK's channel talks to Danbao: TLS trust, client certificates, and which calls the channel may retry.</summary>
internal static class DanbaoChannel
{
    private const string RequestIdField = "request_id";

    /// <summary>HTTP/2 handler with the client certificate (mTLS) and the server roots to trust.</summary>
    public static SocketsHttpHandler Handler(DanbaoClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        var ssl = new SslClientAuthenticationOptions();
        if (options.ClientCertificate is { } certificate)
        {
            ssl.ClientCertificates = [certificate];
        }
        if (options.TrustedServerRoots is { } roots)
        {
            ssl.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            ssl.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>
    /// Retry on UNAVAILABLE, with backoff, for exactly the methods whose request carries a
    /// request_id: the server answers a repeated id with its first reply, so a retried write
    /// happens at most once. Without an id a retry could do a command twice, so nothing else is retried.
    /// </summary>
    public static MethodConfig WriteRetries(int attemptsMax)
    {
        var config = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = attemptsMax,
                InitialBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(2),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var service in Services())
        {
            foreach (var method in service.Methods.Where(m => m.InputType.FindFieldByName(RequestIdField) is { FieldType: FieldType.String }))
            {
                config.Names.Add(new MethodName { Service = service.FullName, Method = method.Name });
            }
        }
        return config;
    }

    private static IEnumerable<ServiceDescriptor> Services() =>
    [
        Contracts.V1.LoanService.Descriptor, Contracts.V1.IdentityService.Descriptor, Contracts.V1.PolicyService.Descriptor,
        Contracts.V1.BatchService.Descriptor, Contracts.V1.SubsidyService.Descriptor, Contracts.V1.AwardService.Descriptor,
        Contracts.V1.FundService.Descriptor,
    ];
}
