namespace Danbao.Domain.Rates;

/// <summary>The 1-year LPR history (policy.md §5), loaded by the caller from <c>lpr_rates</c>.</summary>
public sealed class LprTable
{
    private readonly LprEntry[] _entries;

    public LprTable(IEnumerable<LprEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.OrderBy(e => e.EffectiveFrom).ToArray();
        for (var i = 1; i < _entries.Length; i++)
        {
            if (_entries[i].EffectiveFrom == _entries[i - 1].EffectiveFrom)
                throw new ArgumentException($"two LPR entries on {_entries[i].EffectiveFrom}", nameof(entries));
        }
    }

    public IReadOnlyList<LprEntry> Entries => _entries;

    /// <summary>The entry in force on the date; refused before the first entry.</summary>
    public Result<LprEntry> EntryOn(DateOnly date)
    {
        var entry = _entries.LastOrDefault(e => e.EffectiveFrom <= date);
        if (entry is null)
            return new Refusal(ReasonCodes.LprNotAvailable, $"no 1-year LPR is known for {date:yyyy-MM-dd}");
        return entry;
    }

    /// <summary>
    /// A new LPR publication must be positive and dated after the latest one: inserting an
    /// earlier date would change which rate was in force on past dates.
    /// </summary>
    public Result<LprEntry> CheckNew(LprEntry candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.OneYear <= Rate.Zero)
            return new Refusal(ReasonCodes.PolicyValueInvalid, "the LPR must be positive");
        if (_entries.Length > 0 && candidate.EffectiveFrom <= _entries[^1].EffectiveFrom)
            return new Refusal(ReasonCodes.LprNotAfterLatest,
                $"a new LPR must take effect after the latest one ({_entries[^1].EffectiveFrom:yyyy-MM-dd})");
        return candidate;
    }

    public Result<Rate> RateOn(DateOnly date) => EntryOn(date).Map(e => e.OneYear);
}
