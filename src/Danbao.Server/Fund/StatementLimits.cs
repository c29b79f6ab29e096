using System.Globalization;

namespace Danbao.Server.Fund;

/// <summary>
/// Bounds on bank statements (对账单) a bank controls: uploads and lines per bank per business day
/// (CST), and how long a comparison's breaks are kept. Environment: DANBAO_STATEMENT_UPLOADS_PER_DAY,
/// DANBAO_STATEMENT_LINES_PER_DAY, DANBAO_STATEMENT_BREAKS_RETENTION_DAYS.
/// </summary>
public sealed record StatementLimits
{
    /// <summary>Statements one bank may upload per business day.</summary>
    public int UploadsPerBankPerDayMax { get; init; } = 4;

    /// <summary>Statement lines one bank may upload per business day, over all its uploads.</summary>
    public long LinesPerBankPerDayMax { get; init; } = 4_000_000;

    /// <summary>Days a comparison's breaks are kept; then deleted (totals stay on the statement).</summary>
    public int BreaksRetentionDays { get; init; } = 90;

    public static StatementLimits FromEnvironment(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var limits = new StatementLimits();
        return limits with
        {
            UploadsPerBankPerDayMax = Positive(env, "DANBAO_STATEMENT_UPLOADS_PER_DAY") is { } u ? (int)u : limits.UploadsPerBankPerDayMax,
            LinesPerBankPerDayMax = Positive(env, "DANBAO_STATEMENT_LINES_PER_DAY") ?? limits.LinesPerBankPerDayMax,
            BreaksRetentionDays = Positive(env, "DANBAO_STATEMENT_BREAKS_RETENTION_DAYS") is { } d ? (int)d : limits.BreaksRetentionDays,
        };
    }

    private static long? Positive(Func<string, string?> env, string name)
    {
        var text = env(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= int.MaxValue
            ? value
            : throw new ArgumentException($"{name} must be a whole number from 1 to {int.MaxValue}, not '{text}'");
    }
}
