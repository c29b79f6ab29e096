namespace Danbao.Domain.Compensation;

/// <summary>What a write-off (呆账核销) takes off the books: each side's share not recovered.</summary>
public readonly record struct WriteOffAmounts(Money Fund, Money Bank)
{
    public Money Total => Fund + Bank;
}

// Write-off (呆账核销): when recovery is exhausted, HRSS and finance confirm the bad debt; the fund
// writes off its share against capital, the bank its own (policy.md §6). The case is kept (账销案存).
public sealed partial class CompensationClaim
{
    /// <summary>What a write-off now would take: the fund's and the bank's shares not yet recovered.</summary>
    public WriteOffAmounts Unrecovered => new(Data.FundRecoverable, Data.BankRecoverable);

    /// <summary>
    /// Writes off what is unrecovered. Needs the claim APPROVED, no bank recovery waiting for
    /// confirmation (RECOVERY_PENDING: the amounts depend on it), HRSS and finance confirmations
    /// (CONFIRMATIONS_MISSING), something left to write off, and WRITE_OFF_WAIT_MONTHS (24) after
    /// compensation or proof of uncollectability with its evidence (WRITE_OFF_TOO_EARLY).
    /// </summary>
    /// <param name="policyOnWriteOffDate">Policy for the claim's region on the write-off date (the wait).</param>
    public Result<ClaimOutcome> WriteOff(DateOnly on, bool provenUncollectable, string? evidence, PolicySnapshot policyOnWriteOffDate)
    {
        ArgumentNullException.ThrowIfNull(policyOnWriteOffDate);
        if (State != CompensationClaimState.Approved)
            return WrongState("write off", CompensationClaimState.Approved);
        var compensatedOn = Data.DecidedDate!.Value;
        if (on < compensatedOn)
            return BeforePrevious("write-off", on, compensatedOn);
        if (Data.PendingNet.IsPositive)
            return new Refusal(ReasonCodes.RecoveryPending, $"claim {Id} has bank recoveries of {Data.PendingNet} waiting: confirm or refuse them first");
        var missing = ClaimConsents.Missing(ClaimConsentStage.WriteOff, Data.Consents);
        if (missing.Count > 0)
            return Missing(ReasonCodes.ConfirmationsMissing, "a write-off needs HRSS and finance confirmations", missing);
        var amounts = Unrecovered;
        if (!amounts.Total.IsPositive)
            return new Refusal(ReasonCodes.NothingToWriteOff, $"claim {Id} is fully recovered: nothing is left to write off");
        if (provenUncollectable && string.IsNullOrWhiteSpace(evidence))
            return new Refusal(ReasonCodes.WriteOffEvidenceRequired, "a write-off before the wait needs the evidence that the debt is uncollectable");
        var eligible = WriteOffEligibility.Check(compensatedOn, on, provenUncollectable, policyOnWriteOffDate);
        if (!eligible.IsOk)
            return eligible.Refusal;
        return Next(Data with
        {
            State = CompensationClaimState.WrittenOff,
            WrittenOffFund = amounts.Fund,
            WrittenOffBank = amounts.Bank,
            WrittenOffDate = on,
            WriteOffEvidence = string.IsNullOrWhiteSpace(evidence) ? null : evidence.Trim(),
            PolicyVersionIds = Data.PolicyVersionIds.Concat(policyOnWriteOffDate.Used.Select(v => v.Id)).Distinct().ToArray(),
        }, ClaimPostingRecipe.WriteOff(on, amounts.Fund, amounts.Bank));
    }
}
