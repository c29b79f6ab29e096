namespace Danbao.Domain.Interest;

/// <summary>From <see cref="From"/> on (inclusive), the outstanding principal is <see cref="Principal"/>.</summary>
public readonly record struct PrincipalChange(DateOnly From, Money Principal);

/// <summary>
/// Outstanding principal day by day. A change dated D applies from D: money repaid on D earns no
/// interest on D (first day in, last day out, 算头不算尾). Before the first change the principal is zero.
/// </summary>
public sealed class PrincipalTimeline
{
    private readonly PrincipalChange[] _changes;

    public PrincipalTimeline(IEnumerable<PrincipalChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes.ToArray();
        if (!InOrder(_changes))
            _changes = _changes.OrderBy(c => c.From).ToArray();
        for (var i = 0; i < _changes.Length; i++)
        {
            if (_changes[i].Principal.IsNegative)
                throw new ArgumentException($"negative principal on {_changes[i].From}", nameof(changes));
            if (i > 0 && _changes[i].From == _changes[i - 1].From)
                throw new ArgumentException($"two principal changes on {_changes[i].From}", nameof(changes));
        }
    }

    private static bool InOrder(PrincipalChange[] changes)
    {
        for (var i = 1; i < changes.Length; i++)
        {
            if (changes[i].From < changes[i - 1].From)
                return false;
        }
        return true;
    }

    /// <summary>A loan disbursed on <paramref name="disbursedOn"/> with nothing repaid yet.</summary>
    public static PrincipalTimeline Disbursed(DateOnly disbursedOn, Money principal) => new([new PrincipalChange(disbursedOn, principal)]);

    /// <summary>
    /// The timeline of a loan from its disbursement and its principal repayments (date, principal
    /// part of the repayment), e.g. as read from the repayments table. Refuses repaying more than lent.
    /// </summary>
    public static PrincipalTimeline FromRepayments(DateOnly disbursedOn, Money amount, IEnumerable<(DateOnly On, Money Principal)> principalRepayments)
    {
        ArgumentNullException.ThrowIfNull(principalRepayments);
        var changes = new List<PrincipalChange> { new(disbursedOn, amount) };
        var outstanding = amount;
        foreach (var group in principalRepayments.Where(r => !r.Principal.IsZero).GroupBy(r => r.On).OrderBy(g => g.Key))
        {
            if (group.Key < disbursedOn)
                throw new ArgumentException($"repayment on {group.Key} is before disbursement on {disbursedOn}", nameof(principalRepayments));
            outstanding -= Money.Sum(group.Select(r => r.Principal));
            if (outstanding.IsNegative)
                throw new ArgumentException($"repayments exceed the amount lent by {group.Key}", nameof(principalRepayments));
            if (group.Key == disbursedOn)
                changes[0] = new PrincipalChange(disbursedOn, outstanding);
            else
                changes.Add(new PrincipalChange(group.Key, outstanding));
        }
        return new PrincipalTimeline(changes);
    }

    public IReadOnlyList<PrincipalChange> Changes => _changes;

    /// <summary>A new timeline with principal set to <paramref name="principal"/> from <paramref name="from"/>.</summary>
    public PrincipalTimeline With(DateOnly from, Money principal) =>
        new(_changes.Where(c => c.From != from).Append(new PrincipalChange(from, principal)));

    public Money PrincipalOn(DateOnly date)
    {
        var principal = Money.Zero;
        foreach (var change in _changes)
        {
            if (change.From > date)
                break;
            principal = change.Principal;
        }
        return principal;
    }

    /// <summary>The range cut into pieces of constant principal, in order.</summary>
    public IEnumerable<(DateRange Range, Money Principal)> Segments(DateRange range)
    {
        var start = range.Start;
        while (start < range.End)
        {
            var next = default(DateOnly);
            foreach (var change in _changes)
            {
                if (change.From > start)
                {
                    next = change.From;
                    break;
                }
            }
            var end = next > start && next < range.End ? next : range.End;
            yield return (new DateRange(start, end), PrincipalOn(start));
            start = end;
        }
    }
}
