namespace Danbao.Domain.Compensation;

/// <summary>Who recorded a recovery (追偿回收): the bank that collected it, or the fund operator.</summary>
public enum RecoveryRecorder
{
    /// <summary>The handling bank: its record waits for the fund operator's confirmation before it posts.</summary>
    Bank,

    /// <summary>The fund operator: posts at once.</summary>
    FundOperator,
}

/// <summary>Where a recovery is: waiting for confirmation, posted, or refused by the operator.</summary>
public enum RecoveryStatus
{
    Pending,
    Posted,
    Refused,
}

/// <summary>
/// One recovery of a claim. <see cref="Number"/> is its 1-based place among the claim's
/// recoveries (how a pending one is confirmed). <see cref="Split"/> is set when it posts: the
/// net amount shared in the loss ratio over the running total (<see cref="CumulativeRecoverySplit"/>).
/// <see cref="AfterWriteOff"/> marks a recovery of a written-off claim (账销案存), posted by its own recipe.
/// </summary>
public sealed record ClaimRecovery
{
    public required int Number { get; init; }
    public required RecoveryRecorder RecordedBy { get; init; }
    public required string Institution { get; init; }
    public required DateOnly RecoveredDate { get; init; }
    public required Money Gross { get; init; }

    /// <summary>Costs of recovering, deducted before the sharing (policy.md §6: net of costs).</summary>
    public required Money Costs { get; init; }

    public required RecoveryStatus Status { get; init; }
    public SplitAmounts? Split { get; init; }
    public bool AfterWriteOff { get; init; }

    /// <summary>When it posted (the recording date for the operator's own, the confirmation date for a bank's).</summary>
    public DateOnly? PostedDate { get; init; }

    public string? RefusalReason { get; init; }

    public Money Net => Gross - Costs;
}
