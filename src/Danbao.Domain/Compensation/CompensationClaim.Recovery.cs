namespace Danbao.Domain.Compensation;

// Recoveries (追偿): after paying, the fund holds the claim; what is recovered, net of costs, is
// shared back in the loss ratio of the stored share (policy.md §6, §9 ex. 8), also after write-off.
public sealed partial class CompensationClaim
{
    /// <summary>
    /// Records a recovery. The fund operator's posts at once; the bank's waits as PENDING until the
    /// operator confirms it (<see cref="ConfirmRecovery"/>). Never more than the base in all
    /// (RECOVERY_EXCEEDS_CLAIM), counting pending ones, so a confirmation can never break the cap.
    /// </summary>
    public Result<ClaimOutcome> RecordRecovery(RecoveryRecorder by, string institution, DateOnly recoveredOn, Money gross, Money costs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(institution);
        if (State is not (CompensationClaimState.Approved or CompensationClaimState.WrittenOff))
            return WrongState("record a recovery", CompensationClaimState.Approved, CompensationClaimState.WrittenOff);
        if (!gross.IsPositive || costs.IsNegative || costs >= gross)
            return new Refusal(ReasonCodes.RecoveryAmountInvalid, $"a recovery needs gross > 0 and 0 ≤ costs < gross; got gross {gross}, costs {costs}");
        if (recoveredOn < Data.DecidedDate!.Value)
            return BeforePrevious("recovery", recoveredOn, Data.DecidedDate.Value);
        var net = gross - costs;
        var claimed = Data.RecoveredNet + Data.PendingNet;
        if (claimed + net > Data.Base)
            return new Refusal(ReasonCodes.RecoveryExceedsClaim,
                $"recovered {Data.RecoveredNet} so far and {Data.PendingNet} pending; {net} more would exceed the compensation base {Data.Base}")
            {
                Details = new Dictionary<string, string> { ["remaining_fen"] = Fen(Data.Base - claimed) },
            };
        var recovery = new ClaimRecovery
        {
            Number = Data.Recoveries.Count + 1,
            RecordedBy = by,
            Institution = institution,
            RecoveredDate = recoveredOn,
            Gross = gross,
            Costs = costs,
            Status = RecoveryStatus.Pending,
        };
        return by == RecoveryRecorder.FundOperator ? Post(recovery, recoveredOn) : Replace(recovery, null);
    }

    /// <summary>The fund operator confirms a bank's pending recovery: it is shared and posts now.</summary>
    public Result<ClaimOutcome> ConfirmRecovery(int number, DateOnly confirmedOn)
    {
        var pending = Pending(number);
        if (!pending.IsOk)
            return pending.Refusal;
        if (confirmedOn < pending.Value.RecoveredDate)
            return BeforePrevious("confirmation", confirmedOn, pending.Value.RecoveredDate);
        return Post(pending.Value, confirmedOn);
    }

    /// <summary>The fund operator refuses a bank's pending recovery, with a reason; it frees its room under the cap.</summary>
    public Result<ClaimOutcome> RefuseRecovery(int number, string reason)
    {
        var pending = Pending(number);
        if (!pending.IsOk)
            return pending.Refusal;
        if (string.IsNullOrWhiteSpace(reason))
            return new Refusal(ReasonCodes.RejectionReasonRequired, "refusing a bank's recovery names the reason");
        return Replace(pending.Value with { Status = RecoveryStatus.Refused, RefusalReason = reason.Trim() }, null);
    }

    private Result<ClaimRecovery> Pending(int number)
    {
        if (State is not (CompensationClaimState.Approved or CompensationClaimState.WrittenOff))
            return WrongState("confirm or refuse a recovery", CompensationClaimState.Approved, CompensationClaimState.WrittenOff);
        var recovery = Data.Recoveries.FirstOrDefault(r => r.Number == number);
        return recovery is { Status: RecoveryStatus.Pending }
            ? recovery
            : new Refusal(ReasonCodes.RecoveryNotPending,
                recovery is null ? $"claim {Id} has no recovery {number}" : $"recovery {number} of claim {Id} is already {recovery.Status}");
    }

    /// <summary>
    /// Shares the recovery over the running total (the fund's parts add up to exactly its share of
    /// everything recovered) and picks the recipe: a recovery of a paid claim, or of a written-off one.
    /// </summary>
    private ClaimOutcome Post(ClaimRecovery recovery, DateOnly postedOn)
    {
        var split = CumulativeRecoverySplit.Next(Data.RecoveredNet, recovery.Net, Data.FundShare);
        var afterWriteOff = State == CompensationClaimState.WrittenOff;
        var posted = recovery with { Status = RecoveryStatus.Posted, Split = split, AfterWriteOff = afterWriteOff, PostedDate = postedOn };
        var recipe = afterWriteOff
            ? ClaimPostingRecipe.RecoveryAfterWriteOff(postedOn, split.Fund, split.Bank)
            : ClaimPostingRecipe.Recovery(postedOn, split.Fund, split.Bank);
        var outcome = Replace(posted, recipe);
        if (outcome.Data.RecoveredNet > Data.Base || outcome.Data.RecoveredFund > Data.FundPays || outcome.Data.RecoveredBank > Data.BankBears)
            throw new InvalidOperationException($"claim {Id}: recoveries exceed the compensation split {Data.Split}");
        return outcome;
    }

    /// <summary>Adds the recovery, or replaces the one with its number.</summary>
    private ClaimOutcome Replace(ClaimRecovery recovery, ClaimPostingRecipe? recipe)
    {
        var list = Data.Recoveries.Where(r => r.Number != recovery.Number).Append(recovery).OrderBy(r => r.Number).ToArray();
        return Next(Data with { Recoveries = list }, recipe) with { Recovery = recovery };
    }
}
