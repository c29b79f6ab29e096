using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Danbao.Grpc;

/// <summary>
/// grpc.health.v1.Health on top of an <see cref="IHealthStatusProvider"/>. Check answers
/// NOT_FOUND for unknown names; Watch sends the current status (SERVICE_UNKNOWN for unknown
/// names) and then every change, polling the provider.
/// </summary>
public sealed class HealthService
{
    /// <summary>Fastest poll allowed; Watch streams must not turn into a busy loop.</summary>
    public static readonly TimeSpan PollIntervalMin = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest service name accepted, since names come from the network.</summary>
    public const int ServiceNameLengthMax = 256;

    private readonly IHealthStatusProvider _provider;
    private readonly TimeSpan _pollInterval;

    /// <summary>Creates the service; Watch polls every <paramref name="pollInterval"/> (default 1 s).</summary>
    public HealthService(IHealthStatusProvider provider, TimeSpan? pollInterval = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        if (_pollInterval < PollIntervalMin)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), $"Poll interval must be at least {PollIntervalMin}.");
        }
    }

    /// <summary>grpc.health.v1.Health/Check.</summary>
    public async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        CheckName(request.Service);
        ServingStatus? status = await _provider.GetStatusAsync(request.Service, context.CancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }
        return new HealthCheckResponse { Status = status.Value };
    }

    /// <summary>grpc.health.v1.Health/Watch: runs until the client cancels.</summary>
    public async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        CheckName(request.Service);
        ServingStatus? last = null;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            ServingStatus status = await _provider.GetStatusAsync(request.Service, context.CancellationToken).ConfigureAwait(false)
                ?? ServingStatus.ServiceUnknown;
            if (status != last)
            {
                await responses.WriteAsync(new HealthCheckResponse { Status = status }).ConfigureAwait(false);
                last = status;
            }
            await Task.Delay(_pollInterval, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static void CheckName(string service)
    {
        if (service.Length > ServiceNameLengthMax)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"Service name longer than {ServiceNameLengthMax} characters.");
        }
    }
}
