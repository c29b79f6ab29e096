using Danbao.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace Danbao.Client;

/// <summary>
/// The Danbao API for a partner bank (or any institution): the generated gRPC clients of every
/// danbao.v1 service on one <see cref="GrpcChannel"/>, each call carrying your API key and a
/// default deadline. Writes carry the <c>request_id</c> you set on the request (make one with
/// <see cref="NewRequestId"/>); the channel retries a write that failed with UNAVAILABLE with the
/// same id, which the server answers at most once. Reads and calls without a request id are not
/// retried. Failures throw <see cref="RpcException"/>; read the reason with
/// <see cref="RpcExceptionExtensions.Reason"/>. Thread-safe: make one per server and reuse it.
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
/// someone else changed it first: read it again (<c>Loans.GetLoanAsync</c>) and decide anew.
/// </example>
public sealed class DanbaoClient : IDisposable
{
    /// <summary>Connects to <paramref name="address"/> (http:// for h2c, https:// for TLS) with an API key ("dbk_…").</summary>
    public DanbaoClient(Uri address, string? apiKey, DanbaoClientOptions? options = null)
    {
        options ??= new DanbaoClientOptions();
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = DanbaoChannel.Handler(options),
            // grpc-dotnet refuses a retry policy of one attempt: WriteAttemptsMax = 1 means no retry policy at all.
            ServiceConfig = options.WriteAttemptsMax > 1
                ? new ServiceConfig { MethodConfigs = { DanbaoChannel.WriteRetries(options.WriteAttemptsMax) } }
                : null,
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
            MaxRetryAttempts = options.WriteAttemptsMax,
            DisposeHttpClient = true,
        });
        var invoker = Channel.Intercept(new CallDefaults(apiKey, options.Timeout));
        Loans = new LoanService.LoanServiceClient(invoker);
        Identity = new IdentityService.IdentityServiceClient(invoker);
        Policy = new PolicyService.PolicyServiceClient(invoker);
        Batch = new BatchService.BatchServiceClient(invoker);
        Subsidy = new SubsidyService.SubsidyServiceClient(invoker);
        Awards = new AwardService.AwardServiceClient(invoker);
        Fund = new FundService.FundServiceClient(invoker);
        Admin = new AdminService.AdminServiceClient(invoker);
    }

    /// <summary>The channel underneath (for clients of other services, e.g. grpc.health.v1).</summary>
    public GrpcChannel Channel { get; }

    /// <summary>danbao.v1.AdminService: the business date (a sandbox's can be moved forward).</summary>
    public AdminService.AdminServiceClient Admin { get; }

    /// <summary>danbao.v1.LoanService: a loan from application to its end.</summary>
    public LoanService.LoanServiceClient Loans { get; }

    /// <summary>danbao.v1.IdentityService: who am I, institutions, API keys, client certificates.</summary>
    public IdentityService.IdentityServiceClient Identity { get; }

    /// <summary>danbao.v1.PolicyService: policy versions, the LPR, the working-day calendar.</summary>
    public PolicyService.PolicyServiceClient Policy { get; }

    /// <summary>danbao.v1.BatchService: the daily batch for a business date.</summary>
    public BatchService.BatchServiceClient Batch { get; }

    /// <summary>danbao.v1.SubsidyService: interest subsidy (贴息) claims and settlement.</summary>
    public SubsidyService.SubsidyServiceClient Subsidy { get; }

    /// <summary>danbao.v1.AwardService: bank incentive awards.</summary>
    public AwardService.AwardServiceClient Awards { get; }

    /// <summary>danbao.v1.FundService: capital, leverage, compensation claims, recoveries, write-offs, reconciliation.</summary>
    public FundService.FundServiceClient Fund { get; }

    /// <summary>A new request id: use one per logical write, and the same one when retrying it.</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    public void Dispose() => Channel.Dispose();

    /// <summary>Adds the API key and, when the caller set none, the default deadline to every call.</summary>
    private sealed class CallDefaults(string? apiKey, TimeSpan timeout) : Interceptor
    {
        private readonly string? _authorization = string.IsNullOrEmpty(apiKey) ? null : "Bearer " + apiKey;

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDefaults(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDefaults(context));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithDefaults(context));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithDefaults(context));

        private ClientInterceptorContext<TRequest, TResponse> WithDefaults<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class where TResponse : class
        {
            var options = context.Options;
            if (_authorization is not null && options.Headers?.Get("authorization") is null)
            {
                var headers = options.Headers ?? new Metadata();
                headers.Add("authorization", _authorization);
                options = options.WithHeaders(headers);
            }
            if (options.Deadline is null)
            {
                options = options.WithDeadline(DateTime.UtcNow + timeout);
            }
            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
        }
    }
}
