namespace Danbao.Domain.Compensation;

/// <summary>
/// The compensation claim (代偿) aggregate (policy.md §6): filed by the bank, consented to by HRSS,
/// finance and PBOC, approved (the fund pays its share, if it holds it) or rejected with a reason;
/// then recoveries (追偿) shared in the loss ratio, and write-off (呆账核销) after which recoveries
/// go on (账销案存). Immutable: every transition returns a <see cref="ClaimOutcome"/> carrying the new
/// claim and what to persist, or a refusal with a stable reason code (the claim unchanged).
/// The loss share is the one stored at the guarantee; this type never looks a share up.
/// </summary>
public sealed partial class CompensationClaim
{
    private CompensationClaim(CompensationClaimData data) => Data = data;

    public CompensationClaimData Data { get; }

    public string Id => Data.Id;

    public CompensationClaimState State => Data.State;

    public static CompensationClaim Rehydrate(CompensationClaimData data) => new(data ?? throw new ArgumentNullException(nameof(data)));

    /// <summary>
    /// Files a claim: the loan must be more than CLAIM_OVERDUE_DAYS_MIN days overdue on the claim
    /// date; the base (COMPENSATION_BASE_MODE on the claim date) is split by the STORED share, fund
    /// rounded down. A claim filed after the quarter in which the loan became claimable is flagged late.
    /// </summary>
    /// <param name="policyOnClaimDate">Policy for the loan's region on the claim date: overdue minimum and base mode only.</param>
    public static Result<ClaimOutcome> File(ClaimFiling filing, PolicySnapshot policyOnClaimDate)
    {
        ArgumentNullException.ThrowIfNull(filing);
        ArgumentNullException.ThrowIfNull(policyOnClaimDate);
        if (!filing.Share.FundShare.IsShare)
            return new Refusal(ReasonCodes.RiskShareInvalid, $"the stored fund share {filing.Share.FundShare} is not within 0..100%");
        var overdueDays = OverdueDays.On(filing.OverdueSince, filing.ClaimDate);
        var eligible = ClaimEligibility.Check(overdueDays, policyOnClaimDate);
        if (!eligible.IsOk)
            return eligible.Refusal;
        return PolicyDecision.Run<ClaimOutcome>(() =>
        {
            var claimableOn = LateClaim.ClaimableFrom(filing.OverdueSince, policyOnClaimDate.ClaimOverdueDaysMin);
            var compensation = CompensationCalculator.Compute(filing.OutstandingPrincipal, filing.UnpaidNormalInterest,
                policyOnClaimDate.CompensationBaseMode, filing.Share.FundShare);
            var data = new CompensationClaimData
            {
                Id = filing.ClaimId,
                LoanId = filing.LoanId,
                BankId = filing.BankId,
                FundId = filing.FundId,
                Region = filing.Region,
                Guarantor = filing.Share.Guarantor,
                State = CompensationClaimState.Filed,
                ClaimDate = filing.ClaimDate,
                OverdueDays = overdueDays,
                ClaimableOn = claimableOn,
                FiledLate = LateClaim.IsLate(claimableOn, filing.ClaimDate),
                BaseMode = compensation.Mode,
                OutstandingPrincipal = compensation.OutstandingPrincipal,
                UnpaidInterest = compensation.UnpaidInterest,
                Split = compensation.Split,
                PolicyVersionIds = filing.Share.PolicyVersionIds.Concat(policyOnClaimDate.Used.Select(v => v.Id)).Distinct().ToArray(),
            };
            return new ClaimOutcome(new CompensationClaim(data), CompensationClaimState.Filed, null);
        });
    }

    /// <summary>
    /// Records a consent: compensation consents while FILED, write-off confirmations while APPROVED
    /// (HRSS and finance only). Each party consents once per stage.
    /// </summary>
    public Result<ClaimOutcome> RecordConsent(ClaimConsent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        ArgumentException.ThrowIfNullOrWhiteSpace(consent.Reference);
        var needed = consent.Stage == ClaimConsentStage.Compensation ? CompensationClaimState.Filed : CompensationClaimState.Approved;
        if (State != needed)
            return WrongState("record a " + consent.Stage.ToCode() + " consent", needed);
        if (!ClaimConsents.RequiredFor(consent.Stage).Contains(consent.Party))
            return new Refusal(ReasonCodes.ConsentPartyNotRequired,
                $"a {consent.Stage.ToCode()} consent is given by {string.Join(", ", ClaimConsents.RequiredFor(consent.Stage).Select(p => p.ToCode()))}, not {consent.Party.ToCode()}");
        if (Data.Consents.Any(c => c.Stage == consent.Stage && c.Party == consent.Party))
            return new Refusal(ReasonCodes.ConsentAlreadyRecorded, $"{consent.Party.ToCode()} already gave its {consent.Stage.ToCode()} consent to {Id}");
        var since = Data.DecidedDate ?? Data.ClaimDate;
        if (consent.ConsentDate < since)
            return BeforePrevious("consent", consent.ConsentDate, since);
        return Next(Data with { Consents = [.. Data.Consents, consent] }, null) with { Consent = consent };
    }

    /// <summary>
    /// Approves and pays: needs the HRSS, finance and PBOC consents (CONSENTS_MISSING) and a fund
    /// holding at least its share (FUND_BALANCE_INSUFFICIENT: public money never pays more than the
    /// fund holds). Posts the compensation recipe.
    /// </summary>
    /// <param name="fundCashBalance">The fund's cash balance, read under the fund's row lock.</param>
    public Result<ClaimOutcome> Approve(DateOnly decidedOn, Money fundCashBalance)
    {
        if (State != CompensationClaimState.Filed)
            return WrongState("approve", CompensationClaimState.Filed);
        if (decidedOn < Data.ClaimDate)
            return BeforePrevious("approval", decidedOn, Data.ClaimDate);
        var missing = ClaimConsents.Missing(ClaimConsentStage.Compensation, Data.Consents);
        if (missing.Count > 0)
            return Missing(ReasonCodes.ConsentsMissing, "approval needs the consents of HRSS, finance and PBOC", missing);
        if (fundCashBalance < Data.FundPays)
            return new Refusal(ReasonCodes.FundBalanceInsufficient, $"the fund holds {fundCashBalance}, less than its share {Data.FundPays}")
            {
                Details = new Dictionary<string, string> { ["balance_fen"] = Fen(fundCashBalance), ["fund_fen"] = Fen(Data.FundPays) },
            };
        return Next(Data with { State = CompensationClaimState.Approved, DecidedDate = decidedOn },
            ClaimPostingRecipe.Compensation(decidedOn, Data.Split));
    }

    /// <summary>Rejects with a reason (REJECTION_REASON_REQUIRED without one). Nothing is paid.</summary>
    public Result<ClaimOutcome> Reject(DateOnly decidedOn, string reason)
    {
        if (State != CompensationClaimState.Filed)
            return WrongState("reject", CompensationClaimState.Filed);
        if (string.IsNullOrWhiteSpace(reason))
            return new Refusal(ReasonCodes.RejectionReasonRequired, "a rejection names its reason, so the bank sees why");
        if (decidedOn < Data.ClaimDate)
            return BeforePrevious("rejection", decidedOn, Data.ClaimDate);
        return Next(Data with { State = CompensationClaimState.Rejected, DecidedDate = decidedOn, RejectionReason = reason.Trim() }, null);
    }

    private ClaimOutcome Next(CompensationClaimData data, ClaimPostingRecipe? posting) => new(new CompensationClaim(data), State, posting);

    /// <summary>
    /// A step the claim's state does not allow: CLAIM_NOT_PENDING when it needs FILED, CLAIM_NOT_PAID
    /// when it needs APPROVED (or WRITTEN_OFF, for recoveries); the details say where it is.
    /// </summary>
    private Refusal WrongState(string action, params CompensationClaimState[] needed)
    {
        var code = needed.Contains(CompensationClaimState.Filed) ? ReasonCodes.ClaimNotPending : ReasonCodes.ClaimNotPaid;
        var neededCodes = string.Join(" or ", needed.Select(s => s.ToCode()));
        return new Refusal(code, $"claim {Id} is {State.ToCode()}: to {action} it must be {neededCodes}")
        {
            Details = new Dictionary<string, string> { ["state"] = State.ToCode(), ["needed"] = neededCodes, ["action"] = action },
        };
    }

    private static Refusal Missing(string code, string message, IReadOnlyList<ClaimConsentParty> missing)
    {
        var parties = string.Join(",", missing.Select(p => p.ToCode()));
        return new Refusal(code, $"{message}; missing: {parties}") { Details = new Dictionary<string, string> { ["missing"] = parties } };
    }

    private static Refusal BeforePrevious(string what, DateOnly on, DateOnly previous) =>
        new(ReasonCodes.DateBeforePreviousEvent, $"the {what} date {on:yyyy-MM-dd} is before {previous:yyyy-MM-dd}, the claim's previous event");

    private static string Fen(Money amount) => amount.Fen.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
