using System.Threading.RateLimiting;

namespace Danbao.Server.Identity;

/// <summary>
/// Failed authentications per peer address (issue 14, finding 3): a token bucket of
/// <see cref="Burst"/> failures refilled at <see cref="FailuresPerSecond"/>. A peer whose bucket is
/// empty is answered RESOURCE_EXHAUSTED with RetryInfo before its credential is looked up, so a flood of
/// unknown keys costs no database work. Credentials already known good (in memory) are never limited:
/// a bank behind the same NAT as an attacker keeps working.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    /// <summary>Default: 50 failures at once, then 10 a second, per peer address.</summary>
    public const int BurstDefault = 50;

    public const int FailuresPerSecondDefault = 10;

    private readonly PartitionedRateLimiter<string> _limiter;

    /// <param name="burst">Failures a peer may make at once.</param>
    /// <param name="failuresPerPeriod">Failures given back each <paramref name="refillPeriod"/> (default one second).</param>
    /// <param name="refillPeriod">How often the bucket refills.</param>
    public AuthFailureLimiter(int burst = BurstDefault, int failuresPerPeriod = FailuresPerSecondDefault, TimeSpan? refillPeriod = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(failuresPerPeriod, 1);
        var period = refillPeriod ?? TimeSpan.FromSeconds(1);
        Burst = burst;
        FailuresPerPeriod = failuresPerPeriod;
        RefillPeriod = period;
        _limiter = PartitionedRateLimiter.Create<string, string>(peer => RateLimitPartition.GetTokenBucketLimiter(peer, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = failuresPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public int Burst { get; }

    public int FailuresPerPeriod { get; }

    public TimeSpan RefillPeriod { get; }

    /// <summary>How long a blocked peer should wait: until its bucket refills (at least 100 ms).</summary>
    public TimeSpan RetryAfter => RefillPeriod < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : RefillPeriod;

    /// <summary>Whether the peer may still fail (its bucket is not empty); takes nothing.</summary>
    public bool MayTry(string peer)
    {
        using var lease = _limiter.AttemptAcquire(peer, 0);
        return lease.IsAcquired;
    }

    /// <summary>Counts one failure; false when the peer had none left (answer RESOURCE_EXHAUSTED).</summary>
    public bool RecordFailure(string peer)
    {
        using var lease = _limiter.AttemptAcquire(peer, 1);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
