namespace Danbao.Server.Fund;

/// <summary>
/// Bounds on bank statements (对账单) a bank controls: uploads and lines per bank per business day
/// (CST), and how long a comparison's breaks are kept. Server options: --statement-uploads-per-day,
/// --statement-lines-per-day, --statement-breaks-retention-days.
/// </summary>
public sealed record StatementLimits
{
    /// <summary>Statements one bank may upload per business day.</summary>
    public int UploadsPerBankPerDayMax { get; init; } = 4;

    /// <summary>Statement lines one bank may upload per business day, over all its uploads.</summary>
    public long LinesPerBankPerDayMax { get; init; } = 4_000_000;

    /// <summary>Days a comparison's breaks are kept; then deleted (totals stay on the statement).</summary>
    public int BreaksRetentionDays { get; init; } = 90;

}
