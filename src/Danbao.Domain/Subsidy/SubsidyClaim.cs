namespace Danbao.Domain.Subsidy;

/// <summary>
/// A bank's quarterly subsidy claim (贴息申报, policy.md §5): DRAFT → SUBMITTED → REVIEWED → SETTLED.
/// The bank files lines (each with the service's verdict, which decides what can be paid); the finance
/// bureau approves or rejects each line, accepts or refuses each late line, and settles; after
/// settlement the bank records when it credited each borrower, and the bureau may claw back a paid line.
/// Every method checks its transition and returns what to persist; the caller persists it.
/// </summary>
public sealed class SubsidyClaim
{
    /// <summary>Lines one claim may hold (a city's quarter of loans, with room).</summary>
    public const int LinesMax = 2_000_000;

    /// <summary>Longest reason text (rejection, late filing, claw-back).</summary>
    public const int ReasonLengthMax = 500;

    private readonly Dictionary<SubsidyLineKey, SubsidyClaimLine> _lines;
    private readonly List<SubsidyClawback> _clawbacks;
    private readonly Dictionary<SubsidyLineKey, SubsidyPassThrough> _passThroughs;
    private SubsidyClaimData _data;
    private int _added;

    private SubsidyClaim(SubsidyClaimData data)
    {
        _data = data;
        _lines = data.Lines.Select(l => AsDecided(data, l)).ToDictionary(l => l.Key);
        _clawbacks = data.Clawbacks.ToList();
        _passThroughs = data.PassThroughs.ToDictionary(p => p.Line);
    }

    public SubsidyClaimData Data => _data with
    {
        Lines = Lines,
        Clawbacks = _clawbacks.ToArray(),
        PassThroughs = _passThroughs.Values.OrderBy(p => p.Line.LoanId, StringComparer.Ordinal).ThenBy(p => p.Line.Quarter.Start).ToArray(),
    };

    public string Id => _data.Id;

    public SubsidyClaimState State => _data.State;

    public IReadOnlyList<SubsidyClaimLine> Lines =>
        _lines.Values.OrderBy(l => l.LoanId, StringComparer.Ordinal).ThenBy(l => l.Quarter.Start).ToArray();

    public IReadOnlyList<SubsidyClawback> Clawbacks => _clawbacks;

    /// <summary>Counts and amounts per verdict and decision: the one computation of a claim's summary.</summary>
    public SubsidyClaimSummary Summary() => SubsidyClaimSummary.Of(_lines.Values, _clawbacks, _passThroughs.Values);

    /// <summary>Opens a DRAFT claim for <paramref name="quarter"/>: only within its filing window (the month after it).</summary>
    public static Result<SubsidyClaim> Open(string id, string bankId, RegionCode region, ClaimQuarter quarter, DateOnly today)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(bankId);
        return quarter.CheckFiling(today).Map(_ => new SubsidyClaim(new SubsidyClaimData
        {
            Id = id,
            BankId = bankId,
            Region = region,
            Quarter = quarter,
            State = SubsidyClaimState.Draft,
            FiledDate = today,
        }));
    }

    public static SubsidyClaim Rehydrate(SubsidyClaimData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new SubsidyClaim(data);
    }

    /// <summary>
    /// Adds a line to a DRAFT claim. <paramref name="lineQuarter"/> is the quarter in which the loan's
    /// interest was completed (the claim's quarter, or an earlier one); a line filed after that quarter's
    /// filing window is late and needs <paramref name="lateReason"/>. A NOT_PAYABLE line is rejected at
    /// once, so it never blocks a corrected line.
    /// </summary>
    public Result<SubsidyClaimLine> AddLine(ClaimLineInput input, ClaimQuarter lineQuarter, ClaimLineVerdict verdict, DateOnly today, string? lateReason = null)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (State != SubsidyClaimState.Draft)
            return new Refusal(SubsidyReasons.ClaimNotDraft, $"subsidyClaims/{Id} is {State.ToCode()}; lines are added to a DRAFT claim");
        if (lineQuarter.Start > _data.Quarter.Start)
            return new Refusal(SubsidyReasons.LineQuarterAfterClaim, $"a line for {lineQuarter} cannot be filed in a claim for {_data.Quarter}");
        if (input.InterestPaid.IsNegative || input.SubsidyClaimed.IsNegative)
            return new Refusal(ReasonCodes.AmountNotPositive, "claimed amounts must not be negative");
        var key = new SubsidyLineKey(input.LoanId, lineQuarter);
        if (_lines.ContainsKey(key))
            return new Refusal(SubsidyReasons.LineExists, $"subsidyClaims/{Id} already has a line for {key}");
        if (Math.Max(_lines.Count, _data.LinesFiled + _added) >= LinesMax)
            return new Refusal(SubsidyReasons.ClaimFull, $"a claim holds at most {LinesMax} lines; file the rest in another claim");
        var late = today >= lineQuarter.FilingWindow.End;
        if (late && !HasText(lateReason))
            return new Refusal(SubsidyReasons.LateReasonRequired,
                $"the filing window for {lineQuarter} closed on {lineQuarter.FilingWindow.End.AddDays(-1):yyyy-MM-dd}; a late line needs a reason (at most {ReasonLengthMax} characters)");
        var notPayable = verdict.Flag == ClaimLineFlag.NotPayable;
        var line = new SubsidyClaimLine(input.LoanId, lineQuarter, input, verdict,
            late ? LateFiling.Pending : LateFiling.OnTime, late ? lateReason : null,
            notPayable ? SubsidyLineDecision.Rejected : SubsidyLineDecision.Pending,
            notPayable ? verdict.NotPayableReason : null, Money.Zero);
        _lines[key] = line;
        _added++;
        return line;
    }

    /// <summary>DRAFT → SUBMITTED; a claim without lines is refused.</summary>
    public Result<Unit> Submit()
    {
        if (!SubsidyClaimStates.IsAllowed(State, SubsidyClaimState.Submitted))
            return SubsidyClaimStates.Illegal(Id, State, SubsidyClaimState.Submitted);
        if (_lines.Count == 0)
            return new Refusal(SubsidyReasons.ClaimEmpty, $"subsidyClaims/{Id} has no lines");
        _data = _data with { State = SubsidyClaimState.Submitted };
        return Unit.Value;
    }

    /// <summary>
    /// SUBMITTED → REVIEWED. Named lines are approved or rejected (a rejection needs a reason); with
    /// <paramref name="approveRest"/> every other pending on-time line is approved, else rejected
    /// NOT_APPROVED. A late line is never covered by approveRest: the bureau names each one (approve =
    /// late filing accepted). An approved line pays what its verdict allows. Returns the changed lines.
    /// </summary>
    public Result<IReadOnlyList<SubsidyClaimLine>> Review(IReadOnlyList<SubsidyLineReview> reviews, bool approveRest)
    {
        var review = ReviewInPlace(reviews, approveRest);
        if (!review.IsOk)
            return review.Refusal;
        var changed = review.Value.Named.ToList();
        foreach (var line in _lines.Values.Where(SubsidyRestDecision.Covers).ToArray())
        {
            var decided = review.Value.Rest.Decide(line);
            _lines[line.Key] = decided;
            changed.Add(decided);
        }
        return changed;
    }

    /// <summary>
    /// The review of a claim whose lines are not all held (a million lines are decided by one statement): the
    /// aggregate holds the named lines and every late line still pending (each must be named;
    /// <see cref="SubsidyClaimData.LinesLatePending"/> says whether all were given). Decides the named lines and
    /// returns the rule for the rest (<see cref="SubsidyRestDecision"/>); lines it holds that the rule covers are
    /// left for the caller (<see cref="Review"/> applies it to them).
    /// </summary>
    public Result<SubsidyReview> ReviewInPlace(IReadOnlyList<SubsidyLineReview> reviews, bool approveRest)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        if (!SubsidyClaimStates.IsAllowed(State, SubsidyClaimState.Reviewed))
            return SubsidyClaimStates.Illegal(Id, State, SubsidyClaimState.Reviewed);
        var named = new Dictionary<SubsidyLineKey, SubsidyLineReview>();
        foreach (var r in reviews)
        {
            if (!_lines.TryGetValue(r.Line, out var line) || !named.TryAdd(r.Line, r))
                return new Refusal(SubsidyReasons.LineUnknown, $"subsidyClaims/{Id} has no line for {r.Line}, or it is named twice");
            if (r.Approve && !line.IsPayable)
                return new Refusal(SubsidyReasons.NotPayableLine, $"the line for {r.Line} is NOT_PAYABLE ({line.Verdict.NotPayableReason}) and cannot be approved");
            if (!r.Approve && !HasText(r.Reason))
                return new Refusal(SubsidyReasons.ReasonRequired, $"rejecting the line for {r.Line} needs a reason (at most {ReasonLengthMax} characters)");
        }
        var latePending = _lines.Values.Where(l => l.Late == LateFiling.Pending && l.Decision == SubsidyLineDecision.Pending && l.IsPayable).ToArray();
        var undecided = latePending.Where(l => !named.ContainsKey(l.Key)).Select(l => l.Key).ToArray();
        var unseen = Math.Max(0, _data.LinesLatePending - latePending.Length);
        if (undecided.Length + unseen > 0)
            return new Refusal(SubsidyReasons.LateLineUndecided,
                $"late lines need a decision each: {string.Join(", ", undecided.Take(5))}{(undecided.Length > 5 || unseen > 0 ? $" and {undecided.Length + unseen - Math.Min(5, undecided.Length)} others" : "")}");
        var decided = new List<SubsidyClaimLine>(named.Count);
        foreach (var (key, r) in named)
        {
            var line = _lines[key];
            if (line.Decision != SubsidyLineDecision.Pending)
                continue;
            _lines[key] = Decide(line, r.Approve, r.Reason);
            decided.Add(_lines[key]);
        }
        _data = _data with { State = SubsidyClaimState.Reviewed, RestApproved = approveRest };
        return new SubsidyReview(decided, new SubsidyRestDecision(approveRest));
    }

    /// <summary>
    /// REVIEWED → SETTLED on <paramref name="on"/> (not after <paramref name="today"/>): approved lines become
    /// PAID, and one ledger transaction pays the bank, finance expense (D) → bank subsidy payable (C), with a
    /// statement line per loan. A claim with nothing approved is refused.
    /// </summary>
    public Result<SubsidySettlement> Settle(DateOnly on, DateOnly today, string bureauId)
    {
        var allowed = CheckSettlement(on, today, bureauId);
        if (!allowed.IsOk)
            return allowed.Refusal;
        var paid = Lines.Where(l => l.Decision == SubsidyLineDecision.Approved && l.Approved.IsPositive)
            .Select(l => l with { Decision = SubsidyLineDecision.Paid }).ToArray();
        if (paid.Length == 0)
            return NothingApproved();
        var posting = SubsidyAccounts.Recipe("subsidy_settlement", Id, on, SubsidyAccounts.Expense(bureauId), SubsidyAccounts.Payable(_data.BankId),
            paid.Select(l => (l.LoanId, l.Approved)).ToArray());
        foreach (var line in paid)
            _lines[line.Key] = line;
        _data = _data with { State = SubsidyClaimState.Settled, SettledDate = on, SettledBy = bureauId };
        return new SubsidySettlement(paid, posting);
    }

    /// <summary>
    /// Settlement of a claim whose lines are not held (a million lines are paid by one statement): the same
    /// checks and the same rule as <see cref="Settle"/>, with the total taken from the claim's summary
    /// (<paramref name="approved"/>: what its approved lines add up to, <see cref="SubsidyClaimSummary.All"/>).
    /// The change to the summary is the amount paid.
    /// </summary>
    public Result<SubsidySettlementPlan> SettleInPlace(DateOnly on, DateOnly today, string bureauId, Money approved)
    {
        var allowed = CheckSettlement(on, today, bureauId);
        if (!allowed.IsOk)
            return allowed.Refusal;
        if (!approved.IsPositive)
            return NothingApproved();
        var posting = SubsidyAccounts.RecipeWithoutLines("subsidy_settlement", Id, on, SubsidyAccounts.Expense(bureauId), SubsidyAccounts.Payable(_data.BankId), approved);
        _data = _data with { State = SubsidyClaimState.Settled, SettledDate = on, SettledBy = bureauId };
        var change = SubsidyClaimSummary.Of([], [], []) with { Paid = approved };
        return new SubsidySettlementPlan(posting, SubsidyAccounts.LineSubject, change);
    }

    private Result<Unit> CheckSettlement(DateOnly on, DateOnly today, string bureauId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bureauId);
        if (!SubsidyClaimStates.IsAllowed(State, SubsidyClaimState.Settled))
            return SubsidyClaimStates.Illegal(Id, State, SubsidyClaimState.Settled);
        if (on > today)
            return new Refusal(SubsidyReasons.DateInFuture, $"settlement on {on:yyyy-MM-dd} is after today {today:yyyy-MM-dd}");
        if (on < _data.FiledDate)
            return new Refusal(ReasonCodes.DateBeforePreviousEvent, $"settlement on {on:yyyy-MM-dd} is before the claim was filed on {_data.FiledDate:yyyy-MM-dd}");
        return Unit.Value;
    }

    private Refusal NothingApproved() => new(SubsidyReasons.NothingApproved, $"subsidyClaims/{Id} has no approved amount to pay");

    /// <summary>
    /// Claw-back (就业补助资金追回) of part or all of a paid line, with a reason: a reversing posting against
    /// the bank, bank subsidy payable (D) → the settling bureau's expense (C). The line stays as it was.
    /// </summary>
    public Result<(SubsidyClawback Clawback, LedgerRecipe Posting)> ClawBack(SubsidyLineKey key, Money amount, string reason, DateOnly on, DateOnly today)
    {
        var paid = PaidLine(key);
        if (!paid.IsOk)
            return paid.Refusal;
        if (!HasText(reason))
            return new Refusal(SubsidyReasons.ReasonRequired, $"a claw-back needs a reason (at most {ReasonLengthMax} characters)");
        if (on > today)
            return new Refusal(SubsidyReasons.DateInFuture, $"claw-back on {on:yyyy-MM-dd} is after today {today:yyyy-MM-dd}");
        if (on < _data.SettledDate)
            return new Refusal(ReasonCodes.DateBeforePreviousEvent, $"claw-back on {on:yyyy-MM-dd} is before settlement on {_data.SettledDate:yyyy-MM-dd}");
        var left = paid.Value.Approved - ClawedBack(key);
        if (!amount.IsPositive || amount > left)
            return new Refusal(SubsidyReasons.ClawbackAbovePaid, $"a claw-back of the line for {key} is between 0.01 and {left} (paid {paid.Value.Approved}, clawed back {ClawedBack(key)})");
        var clawback = new SubsidyClawback(key, amount, reason, on);
        var posting = SubsidyAccounts.Recipe("subsidy_clawback", Id, on, SubsidyAccounts.Payable(_data.BankId), SubsidyAccounts.Expense(_data.SettledBy!), [(key.LoanId, amount)]);
        _clawbacks.Add(clawback);
        return (clawback, posting);
    }

    /// <summary>
    /// The bank credited the borrower with a paid line's subsidy (net of claw-backs) on <paramref name="creditedOn"/>:
    /// not before settlement, not after <paramref name="today"/>, once per line. Discharges the bank's payable.
    /// </summary>
    public Result<(SubsidyPassThrough PassThrough, LedgerRecipe Posting)> RecordPassThrough(SubsidyLineKey key, DateOnly creditedOn, DateOnly today)
    {
        var paid = PaidLine(key);
        if (!paid.IsOk)
            return paid.Refusal;
        if (_passThroughs.ContainsKey(key))
            return new Refusal(SubsidyReasons.PassThroughRecorded, $"the bank already credited the borrower for {key} on {_passThroughs[key].CreditedOn:yyyy-MM-dd}");
        if (creditedOn < _data.SettledDate)
            return new Refusal(SubsidyReasons.PassThroughBeforeSettlement, $"credited on {creditedOn:yyyy-MM-dd}, before the claim was settled on {_data.SettledDate:yyyy-MM-dd}");
        if (creditedOn > today)
            return new Refusal(SubsidyReasons.DateInFuture, $"credited on {creditedOn:yyyy-MM-dd} is after today {today:yyyy-MM-dd}");
        var amount = paid.Value.Approved - ClawedBack(key);
        if (!amount.IsPositive)
            return new Refusal(SubsidyReasons.LineNotPaid, $"the line for {key} was clawed back in full: nothing to credit");
        var pass = new SubsidyPassThrough(key, amount, creditedOn);
        var posting = SubsidyAccounts.Recipe("subsidy_pass_through", Id, creditedOn, SubsidyAccounts.Payable(_data.BankId), SubsidyAccounts.PassedThrough(_data.BankId), [(key.LoanId, amount)]);
        _passThroughs[key] = pass;
        return (pass, posting);
    }

    private Money ClawedBack(SubsidyLineKey key) => Money.Sum(_clawbacks.Where(c => c.Line == key).Select(c => c.Amount));

    private Result<SubsidyClaimLine> PaidLine(SubsidyLineKey key)
    {
        if (State != SubsidyClaimState.Settled)
            return new Refusal(SubsidyReasons.ClaimNotSettled, $"subsidyClaims/{Id} is {State.ToCode()}; only a SETTLED claim's lines are paid");
        if (!_lines.TryGetValue(key, out var line))
            return new Refusal(SubsidyReasons.LineUnknown, $"subsidyClaims/{Id} has no line for {key}");
        return line.Decision == SubsidyLineDecision.Paid
            ? line
            : new Refusal(SubsidyReasons.LineNotPaid, $"the line for {key} is {line.Decision.ToCode()}, not PAID");
    }

    /// <summary>
    /// A line as its claim has decided it, whatever its stored row still says: one the approved rest covers is APPROVED
    /// at its payable amount (<see cref="SubsidyClaimData.RestApproved"/>), and in a SETTLED claim an approved line of a
    /// positive amount is PAID (settlement pays them all and rewrites none, <see cref="Settle"/>).
    /// </summary>
    public static SubsidyClaimLine AsDecided(SubsidyClaimData claim, SubsidyClaimLine line)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(line);
        var decided = claim.RestApproved && SubsidyRestDecision.Covers(line) ? Decide(line, true, null) : line;
        return claim.State == SubsidyClaimState.Settled && decided is { Decision: SubsidyLineDecision.Approved, Approved.IsPositive: true }
            ? decided with { Decision = SubsidyLineDecision.Paid }
            : decided;
    }

    internal static SubsidyClaimLine Decide(SubsidyClaimLine line, bool approve, string? reason)
    {
        var late = line.Late switch
        {
            LateFiling.Pending => approve ? LateFiling.Accepted : LateFiling.Refused,
            var same => same,
        };
        // A NOT_PAYABLE line was rejected when filed and is never Pending here; approval pays what the verdict allows.
        return approve
            ? line with { Decision = SubsidyLineDecision.Approved, Approved = line.PayableAmount, Late = late, RejectionReason = null }
            : line with { Decision = SubsidyLineDecision.Rejected, Approved = Money.Zero, Late = late, RejectionReason = reason };
    }

    private static bool HasText(string? text) => !string.IsNullOrWhiteSpace(text) && text.Length <= ReasonLengthMax;
}
