namespace Danbao.Domain.Loans;

/// <summary>
/// The guarantee-loan aggregate. Its state changes only through the methods below; each checks
/// that the transition is legal and its preconditions hold, and returns a typed refusal (state
/// unchanged) otherwise. Persist <see cref="Data"/>; rebuild with <see cref="Rehydrate"/>.
/// Dates are business dates in China Standard Time, passed in by the caller.
/// </summary>
public sealed partial class Loan
{
    private LoanData _data;

    private Loan(LoanData data) => _data = data;

    public LoanData Data => _data;

    public string Id => _data.Id;

    public LoanState State => _data.State;

    public static Loan Rehydrate(LoanData data) => new(data ?? throw new ArgumentNullException(nameof(data)));

    /// <summary>A new application in SUBMITTED. Approval limits are checked separately (<see cref="LoanApproval"/>).</summary>
    public static Loan Submit(string id, LoanTerms terms, RepaymentMethod method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(terms);
        return new Loan(new LoanData
        {
            Id = id,
            Region = terms.Region,
            BorrowerType = terms.BorrowerType,
            Amount = terms.Amount,
            TermMonths = terms.TermMonths,
            ContractRate = terms.ContractRate,
            RepaymentMethod = method,
            ContractDate = terms.ContractDate,
            CounterGuarantee = terms.HasCounterGuarantee,
            State = LoanState.Submitted,
        });
    }

    // ---- Review: eligibility, publicity, objection, due diligence, approval ----

    public Result<Unit> StartEligibilityReview() => Move(LoanState.EligibilityReview, d => d);

    /// <summary>Eligibility passed: records HK/Macau youth recognition and opens the publicity (公示).</summary>
    public Result<Unit> OpenPublicity(PublicityWindow window, bool hkMacauYouth, IEnumerable<PolicyVersion>? eligibilityVersions = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Move(LoanState.Publicity, d => WithVersions(d with
        {
            HkMacauYouth = hkMacauYouth,
            PublicityStartDate = window.PublishedOn,
            PublicityDays = window.Length,
            PublicityUnit = window.Unit,
            SuspendedDays = 0,
        }, window.Versions.Concat(eligibilityVersions ?? [])));
    }

    /// <summary>
    /// An objection (异议) lodged on <paramref name="lodgedOn"/> during publicity suspends it from that day.
    /// Refused (PUBLICITY_ENDED) once the publicity has run its course.
    /// </summary>
    public Result<Unit> LodgeObjection(DateOnly lodgedOn, WorkingCalendar? calendar)
    {
        if (_data.State != LoanState.Publicity)
            return LoanTransitions.Illegal(_data.State, LoanState.Objection);
        if (lodgedOn < _data.PublicityStartDate)
            return BeforePrevious("objection", lodgedOn, _data.PublicityStartDate!.Value);
        var concludesAt = PublicityConcludesAt(calendar);
        if (!concludesAt.IsOk)
            return concludesAt.Refusal;
        if (ChinaStandardTime.StartOfDay(lodgedOn) >= concludesAt.Value)
            return new Refusal(ReasonCodes.PublicityEnded, $"the publicity ended at {ChinaStandardTime.ToCst(concludesAt.Value):yyyy-MM-dd HH:mm} CST; objections after it are not accepted");
        return Move(LoanState.Objection, d => d with { SuspendedSinceDate = lodgedOn });
    }

    /// <summary>
    /// Objection dismissed: publicity resumes, extended by the publicity days lost while suspended
    /// (from the lodging day up to, not including, the dismissal day), in the publicity's unit.
    /// </summary>
    public Result<Unit> DismissObjection(DateOnly dismissedOn, WorkingCalendar? calendar)
    {
        if (_data.State != LoanState.Objection)
            return LoanTransitions.Illegal(_data.State, LoanState.Publicity);
        var since = _data.SuspendedSinceDate!.Value;
        if (dismissedOn < since)
            return BeforePrevious("dismissal", dismissedOn, since);
        var lost = DaysLost(since, dismissedOn, calendar);
        if (!lost.IsOk)
            return lost.Refusal;
        return Move(LoanState.Publicity, d => d with { SuspendedSinceDate = null, SuspendedDays = d.SuspendedDays + lost.Value });
    }

    /// <summary>Objection upheld: the application is rejected (OBJECTION_UPHELD).</summary>
    public Result<Unit> UpholdObjection(string message)
    {
        if (_data.State != LoanState.Objection)
            return LoanTransitions.Illegal(_data.State, LoanState.Rejected);
        return Move(LoanState.Rejected, d => d with { RejectionReason = ReasonCodes.ObjectionUpheld, RejectionMessage = message, SuspendedSinceDate = null });
    }

    /// <summary>When the publicity may conclude: 00:00 CST after its last day, moved by days lost to objections.</summary>
    public Result<DateTimeOffset> PublicityConcludesAt(WorkingCalendar? calendar)
    {
        if (_data.PublicityStartDate is not { } start || _data.PublicityDays is not { } days || _data.PublicityUnit is not { } unit)
            return new Refusal(ReasonCodes.IllegalTransition, "the loan has no publicity");
        var window = PublicityWindow.Open(start, days + _data.SuspendedDays, unit, calendar);
        return window.Map(w => w.ConcludesAt);
    }

    /// <summary>Publicity concluded without objection: on to due diligence. Refused before it has ended.</summary>
    public Result<Unit> ConcludePublicity(DateTimeOffset now, WorkingCalendar? calendar)
    {
        if (_data.State != LoanState.Publicity)
            return _data.State == LoanState.Objection
                ? new Refusal(ReasonCodes.ObjectionPending, "an objection is pending: resolve it before concluding the publicity")
                : LoanTransitions.Illegal(_data.State, LoanState.DueDiligence);
        var concludesAt = PublicityConcludesAt(calendar);
        if (!concludesAt.IsOk)
            return concludesAt.Refusal;
        if (now < concludesAt.Value)
            return new Refusal(ReasonCodes.PublicityNotEnded,
                $"the publicity can conclude from {ChinaStandardTime.ToCst(concludesAt.Value):yyyy-MM-dd HH:mm} CST")
            {
                Details = new Dictionary<string, string> { ["concludes_at"] = concludesAt.Value.ToString("O") },
            };
        return Move(LoanState.DueDiligence, d => d);
    }

    /// <summary>Records that the bank and/or the fund operator completed due diligence (尽职调查).</summary>
    public Result<Unit> RecordDueDiligence(bool bank, bool fund)
    {
        if (_data.State != LoanState.DueDiligence)
            return LoanTransitions.Illegal(_data.State, LoanState.DueDiligence);
        _data = _data with { BankDueDiligence = _data.BankDueDiligence || bank, FundDueDiligence = _data.FundDueDiligence || fund };
        return Unit.Value;
    }

    /// <summary>Bank approval, after both due diligences; pass the approval check's versions to record them.</summary>
    public Result<Unit> Approve(ApprovalResult approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        if (_data.State != LoanState.DueDiligence)
            return LoanTransitions.Illegal(_data.State, LoanState.Approved);
        if (!(_data.BankDueDiligence && _data.FundDueDiligence))
            return new Refusal(ReasonCodes.DueDiligenceIncomplete,
                $"due diligence incomplete: bank {(_data.BankDueDiligence ? "done" : "pending")}, fund {(_data.FundDueDiligence ? "done" : "pending")}");
        if (!approval.IsApproved)
            return approval.Assessment.Refusals[0];
        return Move(LoanState.Approved, d => WithVersions(d, approval.Assessment.Versions));
    }

    /// <summary>Refusal at a review step, with the failed rule's reason code.</summary>
    public Result<Unit> Reject(Refusal reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Move(LoanState.Rejected, d => WithVersions(d with { RejectionReason = reason.Code, RejectionMessage = reason.Message }, reason.Versions));
    }

    public Result<Unit> Withdraw() => Move(LoanState.Withdrawn, d => d);

    private Result<int> DaysLost(DateOnly since, DateOnly until, WorkingCalendar? calendar)
    {
        if (_data.PublicityUnit != Domain.Policy.PublicityUnit.WorkingDays)
            return until.DayNumber - since.DayNumber;
        ArgumentNullException.ThrowIfNull(calendar);
        var lost = 0;
        for (var day = since; day < until; day = day.AddDays(1))
        {
            var working = calendar.IsWorkingDay(day);
            if (!working.IsOk)
                return working.Refusal;
            if (working.Value)
                lost++;
        }
        return lost;
    }
}
