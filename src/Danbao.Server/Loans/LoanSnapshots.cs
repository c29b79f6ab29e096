using Danbao.Domain.Subsidy;
using Danbao.Data.Loans;
using Danbao.Data.Policy;
using Microsoft.Extensions.Caching.Memory;
using ProtoLoan = Danbao.Contracts.V1.Loan;

namespace Danbao.Server.Loans;

/// <summary>
/// GetLoan's replies kept in memory, each for one row version of its loan, one business date (the
/// overdue figures are as of today) and one policy snapshot (publicity end, policy references). A read
/// asks PostgreSQL only for the loan's version, so it is as current as the database whichever server
/// instance wrote last: every loan write bumps the version. Bounded by entry count (--loan-cache-entries,
/// 0: off); the least recently used go first when it is full.
/// </summary>
public sealed class LoanSnapshots : IDisposable
{
    public const int EntriesDefault = 10_000;

    private readonly MemoryCache? _cache;

    public LoanSnapshots(int entries)
    {
        _cache = entries > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = entries, CompactionPercentage = 0.2 }) : null;
    }

    public bool Enabled => _cache is not null;

    /// <summary>The snapshot of <paramref name="loanId"/> if it is of this version, date and policy.</summary>
    public LoanSnapshot? Find(string loanId, int version, DateOnly today, PolicyReferenceData policy) =>
        _cache is not null && _cache.TryGetValue(loanId, out LoanSnapshot? s) && s!.Version == version && s.Today == today && ReferenceEquals(s.Policy, policy)
            ? s
            : null;

    /// <summary>
    /// The latest snapshot kept of <paramref name="loanId"/>, whatever its date and policy: a write takes its repayments
    /// when the locked loan is still at its version (<c>LoanStore.RepaymentsUnlessVersion</c>).
    /// </summary>
    public LoanSnapshot? Latest(string loanId) =>
        _cache is not null && _cache.TryGetValue(loanId, out LoanSnapshot? s) ? s : null;

    public void Keep(LoanSnapshot snapshot)
    {
        _cache?.Set(snapshot.Record.Data.Id, snapshot, new MemoryCacheEntryOptions { Size = 1 });
    }

    public void Dispose() => _cache?.Dispose();
}

/// <summary>
/// A loan's row, its repayments and its GetLoan reply at one version (never mutated once kept: replies are only
/// serialised, and a write copies the repayments before it adds one).
/// </summary>
public sealed record LoanSnapshot(LoanRecord Record, IReadOnlyList<RecordedRepayment> Repayments, ProtoLoan Reply, DateOnly Today, PolicyReferenceData Policy)
{
    public int Version => Record.Version;
}
