namespace Danbao.Server.Tests.Support;

/// <summary>A clock the test sets: the server reads "now" only through it.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Sets "now"; a UTC time provider answers in UTC whatever offset the test wrote the instant in.</summary>
    public void Set(DateTimeOffset now) => _now = now.ToUniversalTime();
}
