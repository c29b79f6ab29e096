namespace Danbao.Domain.Awards;

/// <summary>A region's award decision for a year: opened (amounts may be proposed), then approved once.</summary>
public enum AwardDecisionState
{
    Open,
    Approved,
}

/// <summary>
/// Incentive awards (奖补, policy.md §7) of one region for one year. A year is decided only after it has
/// ended (the decision date is an input); the pool is AWARD_POOL_CAP_BP of the year's new lending, in force
/// on the year's last day in the region, less what nested regions already awarded on the same lending
/// (<see cref="AwardPoolLimit"/>); recipients are units of the kinds the region names; the approved total
/// never exceeds the pool, and approval returns the ledger recipe (finance expense → each recipient).
/// </summary>
public sealed class AwardDecision
{
    private AwardDecision(RegionCode region, int year, Money newLending, AwardPoolLimit limit, AwardRecipientRule rule, IReadOnlyList<PolicyVersion> versions)
    {
        Region = region;
        Year = year;
        NewLending = newLending;
        Limit = limit;
        Rule = rule;
        Versions = versions;
    }

    public RegionCode Region { get; }

    public int Year { get; }

    /// <summary>The region's new guarantee lending of the year (its loans and those of the regions within it).</summary>
    public Money NewLending { get; }

    public AwardPoolLimit Limit { get; }

    public Money Pool => Limit.Pool;

    public AwardRecipientRule Rule { get; }

    /// <summary>The policy versions read (the cap share): stored with the decision.</summary>
    public IReadOnlyList<PolicyVersion> Versions { get; }

    public AwardDecisionState State { get; private set; }

    public IReadOnlyList<AwardAmount> Amounts { get; private set; } = [];

    public DateOnly? ApprovedOn { get; private set; }

    public string? ApprovedBy { get; private set; }

    public Money Total => Money.Sum(Amounts.Select(a => a.Amount));

    /// <summary>The year's last day: the cap share in force on it governs the year's pool.</summary>
    public static DateOnly GoverningDate(int year) => new(year, 12, 31);

    /// <param name="decidedThisYear">Every award already decided for <paramref name="year"/> (all regions; those not nested are ignored).</param>
    public static Result<AwardDecision> Open(RegionCode region, int year, DateOnly decisionDate, Money newLending,
        IReadOnlyList<RegionAward> decidedThisYear, AwardRecipientRule rule, PolicyResolver policy)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(policy);
        if (year is < 2000 or > 2100)
            return new Refusal(ReasonCodes.AwardInputInvalid, $"{year} is not a year this system awards");
        var ended = YearEnded(year, decisionDate);
        if (!ended.IsOk)
            return ended.Refusal;
        var snapshot = policy.At(region, GoverningDate(year));
        return PolicyDecision.Run(() =>
        {
            var share = snapshot.AwardPoolCap;
            var versions = snapshot.Used.ToArray();
            var limit = AwardPoolLimit.For(region, newLending, share, decidedThisYear);
            return limit.IsOk
                ? Result<AwardDecision>.Ok(new AwardDecision(region, year, newLending, limit.Value, rule, versions))
                : limit.Refusal with { Versions = versions };
        });
    }

    /// <summary>The default proposal: the whole pool pro rata to new lending × score, exact to the fen. Changes nothing.</summary>
    public Result<IReadOnlyList<AwardAmount>> Propose(IReadOnlyList<AwardRecipient> recipients)
    {
        var valid = CheckRecipients(recipients);
        if (!valid.IsOk)
            return valid.Refusal;
        var split = AwardPool.Propose(Pool, recipients.Select(r => new AwardCandidate(r.InstitutionId, r.NewLending, r.Score)).ToArray());
        return split.Map<IReadOnlyList<AwardAmount>>(s => s.Select((a, i) => new AwardAmount(recipients[i], a.Amount)).ToArray());
    }

    /// <summary>
    /// OPEN → APPROVED on <paramref name="on"/> (after the year, not after <paramref name="today"/>) with the
    /// bureau's amounts: above the pool by one fen is refused, at the pool accepted. Returns the ledger recipe,
    /// or null when every amount is zero.
    /// </summary>
    public Result<LedgerRecipe?> Approve(IReadOnlyList<AwardAmount> amounts, string bureauId, DateOnly on, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        ArgumentException.ThrowIfNullOrWhiteSpace(bureauId);
        if (State != AwardDecisionState.Open)
            return new Refusal(SubsidyReasons.AwardAlreadyApproved, $"awards for {Region} in {Year} are already approved")
            {
                Details = new Dictionary<string, string> { ["from"] = "APPROVED", ["to"] = "APPROVED" },
            };
        var ended = YearEnded(Year, on);
        if (!ended.IsOk)
            return ended.Refusal;
        if (on > today)
            return new Refusal(SubsidyReasons.DateInFuture, $"approval on {on:yyyy-MM-dd} is after today {today:yyyy-MM-dd}");
        var valid = CheckRecipients(amounts.Select(a => a.Recipient).ToArray());
        if (!valid.IsOk)
            return valid.Refusal;
        var total = AwardPool.CheckTotal(amounts.Select(a => new AwardAllocation(a.Recipient.InstitutionId, a.Amount)), Pool);
        if (!total.IsOk)
            return total.Refusal with { Message = $"{total.Refusal.Message} ({Limit.Explanation})", Versions = Versions };
        var paid = amounts.Where(a => a.Amount.IsPositive).ToArray();
        LedgerRecipe? recipe = paid.Length == 0 ? null : new LedgerRecipe("award", "award_allocation", $"{Region}:{Year}", on, "finance",
            [LedgerLeg.Debit(AwardAccounts.Expense(bureauId), total.Value), .. paid.Select(a => LedgerLeg.Credit(AwardAccounts.Payable(a.Recipient.InstitutionId), a.Amount))],
            []);
        State = AwardDecisionState.Approved;
        Amounts = amounts.ToArray();
        ApprovedOn = on;
        ApprovedBy = bureauId;
        return recipe;
    }

    private static Result<Unit> YearEnded(int year, DateOnly on) =>
        on > GoverningDate(year)
            ? Unit.Value
            : new Refusal(SubsidyReasons.AwardYearNotEnded, $"awards for {year} are decided after {GoverningDate(year):yyyy-MM-dd}; the date given is {on:yyyy-MM-dd}");

    private Result<Unit> CheckRecipients(IReadOnlyList<AwardRecipient> recipients)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count is 0 || recipients.Count > AwardPool.CandidatesMax)
            return new Refusal(ReasonCodes.AwardInputInvalid, $"between 1 and {AwardPool.CandidatesMax} recipients");
        if (recipients.Select(r => r.InstitutionId).Distinct(StringComparer.Ordinal).Count() != recipients.Count)
            return new Refusal(ReasonCodes.AwardInputInvalid, "each recipient once");
        var unnamed = recipients.Where(r => !Rule.Allows(r.Kind)).ToArray();
        if (unnamed.Length > 0)
            return new Refusal(SubsidyReasons.AwardRecipientNotNamed,
                $"{Region} names {string.Join(", ", Rule.Named.Order())} as award recipients ({Rule.Source}); not {string.Join(", ", unnamed.Take(5).Select(r => $"{r.InstitutionId} ({r.Kind})"))}");
        return Unit.Value;
    }
}

/// <summary>Ledger accounts of awards: finance's expense and each recipient's payable.</summary>
public static class AwardAccounts
{
    public static string Expense(string bureauId) => $"finance:{bureauId}:award_expense";

    public static string Payable(string institutionId) => $"award:{institutionId}:award_payable";
}
