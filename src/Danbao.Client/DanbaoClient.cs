using Danbao.Contracts.V1;
using Danbao.Grpc;
using Google.Protobuf;

namespace Danbao.Client;

/// <summary>
/// The Danbao API for a partner bank (or any institution): one typed method per RPC. Writes carry
/// the <c>request_id</c> you set on the request; the client retries a write that failed with
/// UNAVAILABLE with the same id, which the server answers at most once. Failures throw
/// <see cref="RpcException"/>; read the reason with <see cref="RpcExceptionExtensions.Reason"/>.
/// Thread-safe: make one per server and reuse it.
/// </summary>
/// <example>
/// A bank submits an application and handles the refusals it can act on:
/// <code>
/// using var danbao = new DanbaoClient(new Uri("https://danbao.example.gov.cn:50051"), apiKey);
/// var request = new CreateLoanRequest { RequestId = DanbaoClient.NewRequestId(), Loan = application };
/// try
/// {
///     var loan = await danbao.Loans.CreateLoanAsync(request);   // loan.Name = "loans/L…", keep loan.Etag
/// }
/// catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
/// {
///     foreach (var (field, problem) in e.FieldViolations()) { /* e.g. loan.amount_fen: must be positive */ }
/// }
/// catch (RpcException e) when (e.Reason() == "RATE_ABOVE_CAP")
/// {
///     // A policy refusal: e.ReasonMetadata() names the policy versions behind it.
/// }
/// catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
/// {
///     // Not known whether it happened: send the SAME request (same request_id) again later;
///     // the server answers a repeated id with the first reply, so it is never done twice.
/// }
/// </code>
/// A state change carries the etag of the loan as last read; ABORTED with reason ETAG_MISMATCH means
/// someone else changed it first: read it again (<see cref="LoanCalls.GetLoanAsync"/>) and decide anew.
/// </example>
public sealed class DanbaoClient : IDisposable
{
    private readonly GrpcClient _grpc;
    private readonly string? _apiKey;

    /// <summary>Connects to <paramref name="address"/> (http:// for h2c, https:// for TLS) with an API key ("dbk_…").</summary>
    public DanbaoClient(Uri address, string? apiKey, DanbaoClientOptions? options = null)
    {
        options ??= new DanbaoClientOptions();
        _apiKey = apiKey;
        _grpc = new GrpcClient(new GrpcClientOptions
        {
            Address = address,
            ClientCertificate = options.ClientCertificate,
            TrustedServerRoots = options.TrustedServerRoots,
            DefaultTimeout = options.Timeout,
        });
        Loans = new LoanCalls(this);
        Identity = new IdentityCalls(this);
        Policy = new PolicyCalls(this);
        Batch = new BatchCalls(this);
        Fund = new FundCalls(this, apiKey);
        Subsidy = new SubsidyCalls(this, apiKey);
    }

    /// <summary>danbao.v1.LoanService.</summary>
    public LoanCalls Loans { get; }

    /// <summary>danbao.v1.IdentityService.</summary>
    public IdentityCalls Identity { get; }

    /// <summary>danbao.v1.PolicyService.</summary>
    public PolicyCalls Policy { get; }

    /// <summary>danbao.v1.BatchService.</summary>
    public BatchCalls Batch { get; }

    /// <summary>danbao.v1.SubsidyService and danbao.v1.AwardService.</summary>
    public SubsidyCalls Subsidy { get; }

    /// <summary>danbao.v1.FundService: capital, leverage, compensation claims, recoveries, write-offs, reconciliation.</summary>
    public FundCalls Fund { get; }

    /// <summary>The underlying gRPC client, for calls this SDK has no typed method for.</summary>
    public GrpcClient Grpc => _grpc;

    /// <summary>A new request id: use one per logical write, and the same one when retrying it.</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    internal Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken ct)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new() =>
        _grpc.UnaryAsync<TRequest, TResponse>(method, request, new CallOptions { BearerToken = _apiKey, CancellationToken = ct });

    /// <inheritdoc />
    public void Dispose() => _grpc.Dispose();
}

/// <summary>Connection settings of a <see cref="DanbaoClient"/>.</summary>
public sealed class DanbaoClientOptions
{
    /// <summary>Client certificate for mTLS (instead of, or besides, an API key).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Roots to trust for the server's certificate (default: the system's).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustedServerRoots { get; init; }

    /// <summary>Deadline of each call, retries included. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
