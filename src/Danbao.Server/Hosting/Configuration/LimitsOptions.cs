namespace Danbao.Server.Hosting.Configuration;

/// <summary>
/// Bounds on what callers may send (section "Limits"). Each must be a whole number from 1 up (the compression threshold, the loan cache and the write groups from 0), which
/// <see cref="ServerOption.Check"/> enforces before binding.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>--max-message-bytes: the largest message received or sent.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>--compress-min-bytes: unary replies smaller than this are sent uncompressed (0: compress all).</summary>
    public int CompressMinBytes { get; set; } = Interceptors.SmallReplyCompression.MinBytesDefault;

    /// <summary>--loan-cache-entries: GetLoan replies kept in memory, each for one version of its loan (0: off).</summary>
    public int LoanCacheEntries { get; set; } = Loans.LoanSnapshots.EntriesDefault;

    /// <summary>--write-group-lanes: transactions that group RecordRepayment calls at once, each a connection (0: off).</summary>
    public int WriteGroupLanes { get; set; } = Data.Sessions.GroupCommit.LanesDefault;

    /// <summary>--loan-version-lanes: reads that answer GetLoan's version checks together, at once (0: each call reads its own).</summary>
    public int LoanVersionLanes { get; set; } = Data.Loans.LoanVersions.LanesDefault;

    /// <summary>--statement-uploads-per-day: bank statements one bank may upload per CST day.</summary>
    public int StatementUploadsPerDay { get; set; } = new Fund.StatementLimits().UploadsPerBankPerDayMax;

    /// <summary>--statement-lines-per-day: statement lines one bank may upload per CST day.</summary>
    public int StatementLinesPerDay { get; set; } = (int)new Fund.StatementLimits().LinesPerBankPerDayMax;

    /// <summary>--statement-breaks-retention-days: days a statement's breaks are kept.</summary>
    public int StatementBreaksRetentionDays { get; set; } = new Fund.StatementLimits().BreaksRetentionDays;

    /// <summary>--subsidy-stream-lines-max: lines one StreamSubsidyClaimLines call may carry.</summary>
    public int SubsidyStreamLinesMax { get; set; } = new Subsidy.SubsidyStreamLimits().LinesPerStreamMax;

    /// <summary>--auth-failure-burst: failed authentications a peer address may make at once.</summary>
    public int AuthFailureBurst { get; set; } = Identity.AuthFailureLimiter.BurstDefault;

    /// <summary>--auth-failures-per-second: ... and per second after its burst; then RESOURCE_EXHAUSTED.</summary>
    public int AuthFailuresPerSecond { get; set; } = Identity.AuthFailureLimiter.FailuresPerSecondDefault;
}
