namespace Danbao.Domain.Calendar;

/// <summary>An exception to the weekday/weekend rule in the official calendar.</summary>
public enum CalendarDayKind
{
    /// <summary>Public holiday or rest day (放假): off even on a weekday.</summary>
    Off,

    /// <summary>Make-up working day (调休上班): on even on a weekend.</summary>
    MakeupWork,
}

/// <summary>One listed day of a year's table. <see cref="TableYear"/> is the table it was announced in
/// (2022-12-31 belongs to the 2023 table).</summary>
public sealed record CalendarDay(DateOnly Date, CalendarDayKind Kind, int TableYear);
