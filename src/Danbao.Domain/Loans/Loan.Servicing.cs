namespace Danbao.Domain.Loans;

public sealed partial class Loan
{
    // ---- Guarantee, disbursement, repayment, overdue, extension ----

    /// <summary>Guarantee contract signed on <paramref name="on"/>: fixes the risk share that governs any loss.</summary>
    public Result<Unit> Guarantee(DateOnly on, RiskShareDecision share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return Move(LoanState.Guaranteed, d => WithVersions(d with { GuaranteeDate = on, FundRiskShare = share.FundShare, Guarantor = share.Guarantor }, share.Versions));
    }

    /// <summary>Disbursed on <paramref name="on"/> (放款): principal outstanding from that day; maturity = on + term.</summary>
    public Result<Unit> Disburse(DateOnly on)
    {
        if (_data.GuaranteeDate is { } guaranteed && on < guaranteed)
            return BeforePrevious("disbursement", on, guaranteed);
        return Move(LoanState.Current, d => d with
        {
            DisbursementDate = on,
            MaturityDate = on.AddMonths(d.TermMonths),
            OutstandingPrincipal = d.Amount,
            InterestPaidToDate = on,
            UnpaidInterest = Money.Zero,
        });
    }

    /// <summary>Normal interest owed on <paramref name="on"/>: unpaid interest plus accrual since the paid-to date.</summary>
    public Money InterestDueOn(DateOnly on)
    {
        if (_data.InterestPaidToDate is not { } paidTo || on <= paidTo)
            return _data.UnpaidInterest;
        return _data.UnpaidInterest + InterestCalculator.Accrue(_data.OutstandingPrincipal, _data.ContractRate, new DateRange(paidTo, on)).Rounded;
    }

    /// <summary>What settles the loan early on <paramref name="on"/>: interest to that day plus all principal.</summary>
    public Money EarlySettlementAmount(DateOnly on) => InterestDueOn(on) + _data.OutstandingPrincipal;

    /// <summary>
    /// A repayment received on <paramref name="on"/>: interest due first, then principal. Paying
    /// everything owed settles the loan (early settlement included). Accrued interest is rounded
    /// at each repayment, which settles the interest period up to that day.
    /// </summary>
    public Result<Allocation> RecordRepayment(DateOnly on, Money amount)
    {
        if (_data.State is not (LoanState.Current or LoanState.Overdue or LoanState.Extended))
            return LoanTransitions.Illegal(_data.State, LoanState.Settled);
        if (_data.InterestPaidToDate is { } paidTo && on < paidTo)
            return BeforePrevious("repayment", on, paidTo);
        var interestDue = InterestDueOn(on);
        var allocation = RepaymentAllocation.Allocate(amount, interestDue, _data.OutstandingPrincipal);
        if (!allocation.IsOk)
            return allocation.Refusal;
        var a = allocation.Value;
        var data = _data with
        {
            OutstandingPrincipal = _data.OutstandingPrincipal - a.Principal,
            UnpaidInterest = interestDue - a.Interest,
            InterestPaidToDate = on,
        };
        if (data.OutstandingPrincipal.IsZero && data.UnpaidInterest.IsZero)
            data = CloseOverdueEpisode(data, on) with { State = LoanState.Settled, SettledDate = on };
        _data = data;
        return a;
    }

    /// <summary>
    /// The earliest scheduled payment due before <paramref name="businessDate"/> that has not been
    /// fully paid (interest up to its due date and principal down to its plan), or null when none,
    /// judged on the stored running totals. The loan is overdue from the day after that due date.
    /// Extensions move what fell due at maturity (<see cref="LoanPlan"/>). Prefer
    /// <see cref="OverdueAsOf"/>, which works from the recorded repayments and gives the figures.
    /// </summary>
    public DateOnly? FirstMissedDueDate(DateOnly businessDate)
    {
        if (_data.State is not (LoanState.Current or LoanState.Extended or LoanState.Overdue) || _data.DisbursementDate is null)
            return null;
        foreach (var payment in LoanPlan.Of(_data))
        {
            if (payment.DueDate >= businessDate)
                return null;
            var interestPaid = _data.InterestPaidToDate >= payment.DueDate && _data.UnpaidInterest.IsZero;
            var principalPaid = _data.OutstandingPrincipal <= payment.PrincipalAfter;
            if (!interestPaid || !principalPaid)
                return payment.DueDate;
        }
        return null;
    }

    /// <summary>A payment was missed: overdue from <paramref name="firstOverdueDay"/> (the day after the due date).</summary>
    public Result<Unit> MarkOverdue(DateOnly firstOverdueDay) =>
        Move(LoanState.Overdue, d => d with { OverdueSinceDate = firstOverdueDay });

    /// <summary>Arrears cleared on <paramref name="on"/>: back to CURRENT, or EXTENDED if the loan was extended.</summary>
    public Result<Unit> Cure(DateOnly on)
    {
        if (_data.State == LoanState.Overdue && on < _data.OverdueSinceDate)
            return BeforePrevious("cure", on, _data.OverdueSinceDate!.Value);
        var back = _data.Extensions > 0 ? LoanState.Extended : LoanState.Current;
        return Move(back, d => CloseOverdueEpisode(d, on));
    }

    public int OverdueDaysOn(DateOnly on) => _data.State is LoanState.Overdue or LoanState.Claimed && _data.OverdueSinceDate is { } since
        ? OverdueDays.On(since, on)
        : 0;

    /// <summary>
    /// Extension (展期) requested on <paramref name="on"/>, before maturity: at most EXTENSION_COUNT_MAX
    /// times and EXTENSION_MONTHS_MAX months; the extension runs from the current maturity. Open to an
    /// overdue borrower (policy.md §3, the usual applicant): the arrears stay due and the loan stays
    /// OVERDUE until they are paid, then goes to EXTENDED; only what falls due at maturity moves.
    /// </summary>
    public Result<Unit> Extend(DateOnly on, int months, PolicySnapshot policyOnRequest)
    {
        ArgumentNullException.ThrowIfNull(policyOnRequest);
        // From CURRENT or OVERDUE, or again from EXTENDED if the policy allows more than one extension.
        if (_data.State is not (LoanState.Current or LoanState.Extended or LoanState.Overdue))
            return LoanTransitions.Illegal(_data.State, LoanState.Extended);
        return PolicyDecision.Run<Unit>(() =>
        {
            var countMax = policyOnRequest.ExtensionCountMax;
            var monthsMax = policyOnRequest.ExtensionMonthsMax;
            var versions = policyOnRequest.Used.ToArray();
            if (_data.Extensions >= countMax)
                return new Refusal(ReasonCodes.ExtensionLimitReached, $"the loan has had {_data.Extensions} extension(s); at most {countMax} allowed", versions);
            if (months > monthsMax)
                return new Refusal(ReasonCodes.ExtensionTooLong, $"an extension of {months} months is longer than {monthsMax}", versions);
            if (months <= 0)
                return new Refusal(ReasonCodes.TermNotPositive, "an extension must be at least one month", versions);
            if (on >= _data.MaturityDate)
                return new Refusal(ReasonCodes.IllegalTransition, $"extension must be requested before maturity on {_data.MaturityDate:yyyy-MM-dd}", versions);
            _data = WithVersions(_data with
            {
                // Arrears are not extended: an overdue loan stays OVERDUE (Cure then leads to EXTENDED).
                State = _data.State == LoanState.Overdue ? LoanState.Overdue : LoanState.Extended,
                Extensions = _data.Extensions + 1,
                ExtensionMonths = _data.ExtensionMonths + months,
                ExtendedFromDate = _data.ExtendedFromDate ?? _data.MaturityDate,
                MaturityDate = _data.MaturityDate!.Value.AddMonths(months),
            }, versions);
            return Unit.Value;
        });
    }

    /// <summary>
    /// Days in <paramref name="period"/> that earn no subsidy, from the stored (batch-cached) overdue
    /// episodes and the extension period. Kept for callers without the repayments; the figures from
    /// dates come from the overload taking the recorded repayments.
    /// </summary>
    public IReadOnlyList<SubsidyExclusion> SubsidyExclusions(DateRange period)
    {
        var spans = _data.OverdueHistory.Select(r => new SubsidyExclusion(r, SubsidyExclusionReason.Overdue)).ToList();
        if (_data.OverdueSinceDate is { } since && since < period.End)
            spans.Add(new SubsidyExclusion(new DateRange(since, period.End), SubsidyExclusionReason.Overdue));
        if (_data.ExtendedFromDate is { } from && _data.MaturityDate is { } maturity && from < maturity)
            spans.Add(new SubsidyExclusion(new DateRange(from, maturity), SubsidyExclusionReason.Extension));
        return spans.Where(s => s.Range.Intersect(period) is not null).ToArray();
    }

    // ---- Compensation, recovery, write-off ----

    /// <summary>Compensation claim (代偿申请) filed on <paramref name="claimDate"/>: needs more than CLAIM_OVERDUE_DAYS_MIN days overdue.</summary>
    public Result<Unit> FileClaim(DateOnly claimDate, PolicySnapshot policyOnClaimDate)
    {
        if (_data.State != LoanState.Overdue)
            return LoanTransitions.Illegal(_data.State, LoanState.Claimed);
        var eligible = ClaimEligibility.Check(OverdueDaysOn(claimDate), policyOnClaimDate);
        if (!eligible.IsOk)
            return eligible.Refusal;
        return Move(LoanState.Claimed, d => WithVersions(d with { ClaimDate = claimDate }, policyOnClaimDate.Used));
    }

    /// <summary>The claim was turned down: the loan is overdue again.</summary>
    public Result<Unit> RejectClaim() => Move(LoanState.Overdue, d => d with { ClaimDate = null });

    /// <summary>The fund paid its share (已代偿) on <paramref name="on"/>.</summary>
    public Result<Unit> RecordCompensation(DateOnly on, Compensation.Compensation compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        if (_data.ClaimDate is { } claimed && on < claimed)
            return BeforePrevious("compensation", on, claimed);
        return Move(LoanState.Compensated, d => WithVersions(d with { CompensatedDate = on }, compensation.Versions));
    }

    public Result<Unit> StartRecovery() => Move(LoanState.Recovering, d => d);

    /// <summary>Write-off (呆账核销): WRITE_OFF_WAIT_MONTHS after compensation, or earlier if proven uncollectable.</summary>
    public Result<Unit> WriteOff(DateOnly on, bool provenUncollectable, PolicySnapshot policyOnWriteOffDate)
    {
        if (!LoanTransitions.IsAllowed(_data.State, LoanState.WrittenOff))
            return LoanTransitions.Illegal(_data.State, LoanState.WrittenOff);
        var eligible = WriteOffEligibility.Check(_data.CompensatedDate!.Value, on, provenUncollectable, policyOnWriteOffDate);
        if (!eligible.IsOk)
            return eligible.Refusal;
        return Move(LoanState.WrittenOff, d => WithVersions(d with { WrittenOffDate = on }, policyOnWriteOffDate.Used));
    }

    /// <summary>Recovery finished (or nothing to recover): closed.</summary>
    public Result<Unit> Close(DateOnly on) => Move(LoanState.Closed, d => d with { ClosedDate = on });

    // ---- helpers ----

    private Result<Unit> Move(LoanState to, Func<LoanData, LoanData> change)
    {
        if (!LoanTransitions.IsAllowed(_data.State, to))
            return LoanTransitions.Illegal(_data.State, to);
        _data = change(_data) with { State = to };
        return Unit.Value;
    }

    private static LoanData CloseOverdueEpisode(LoanData d, DateOnly on) => d.OverdueSinceDate is { } since
        ? d with { OverdueSinceDate = null, OverdueHistory = [.. d.OverdueHistory, new DateRange(since, on < since ? since : on)] }
        : d;

    private static LoanData WithVersions(LoanData d, IEnumerable<PolicyVersion> versions)
    {
        var ids = d.PolicyVersionIds.ToList();
        foreach (var v in versions)
        {
            if (!ids.Contains(v.Id))
                ids.Add(v.Id);
        }
        return d with { PolicyVersionIds = ids };
    }

    private static Refusal BeforePrevious(string what, DateOnly on, DateOnly previous) =>
        new(ReasonCodes.DateBeforePreviousEvent, $"{what} on {on:yyyy-MM-dd} is before {previous:yyyy-MM-dd}");
}
