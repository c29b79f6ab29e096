namespace Danbao.Domain.Time;

/// <summary>
/// A half-open range of business dates [Start, End): first day in, last day out (算头不算尾).
/// Days = End − Start. Used for interest periods and excluded spans.
/// </summary>
public readonly record struct DateRange
{
    public DateRange(DateOnly start, DateOnly end)
    {
        if (end < start)
            throw new ArgumentException($"range end {end} is before start {start}", nameof(end));
        Start = start;
        End = end;
    }

    public DateOnly Start { get; }

    /// <summary>Exclusive: the first day not in the range.</summary>
    public DateOnly End { get; }

    public int Days => End.DayNumber - Start.DayNumber;

    public bool IsEmpty => Days == 0;

    public bool Contains(DateOnly date) => date >= Start && date < End;

    public DateRange? Intersect(DateRange other)
    {
        var start = Start > other.Start ? Start : other.Start;
        var end = End < other.End ? End : other.End;
        return end > start ? new DateRange(start, end) : null;
    }

    public override string ToString() => $"[{Start:yyyy-MM-dd}, {End:yyyy-MM-dd})";
}
