namespace Danbao.Domain;

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

    public Result<Rate> RateOn(DateOnly date) => EntryOn(date).Map(e => e.OneYear);
}
