namespace Danbao.Domain.Policy;

/// <summary>
/// Who may change which rule, and when (policy.md §10, §11). Pure: "today" is the caller's CST
/// business date (<see cref="ChinaStandardTime.BusinessDate"/>), and the existing versions come in
/// the resolver. Each check returns what to persist, or a refusal with a stable code:
/// LPR_ADMIN_ONLY / REGION_NOT_ALLOWED / POLICY_WRITE_NOT_ALLOWED (→ PERMISSION_DENIED),
/// POLICY_VALUE_OUT_OF_RANGE and EFFECTIVE_TO_BEFORE_FROM (Details "field" → a BadRequest field
/// violation), EFFECTIVE_DATE_IN_PAST, POLICY_VERSION_EXISTS, POLICY_VERSION_ALREADY_EFFECTIVE,
/// POLICY_VERSION_ALREADY_WITHDRAWN, WITHDRAWAL_REASON_REQUIRED (→ FAILED_PRECONDITION or INVALID_ARGUMENT).
/// </summary>
public static class PolicyGovernance
{
    /// <summary>The 1-year LPR must be above 0 and below 20% (2000 bp), exclusive (§11).</summary>
    public const decimal LprBpMaxExclusive = 2_000m;

    /// <summary>Longest withdrawal reason, in characters.</summary>
    public const int WithdrawalReasonLengthMax = 500;

    /// <summary>The LPR is national and published by the PBOC: ADMIN alone enters it.</summary>
    public static Result<Unit> MayWriteLpr(PolicyWriter writer) =>
        writer.Role == PolicyWriterRole.Admin
            ? Unit.Value
            : new Refusal(ReasonCodes.LprAdminOnly, $"the 1-year LPR is national and set by ADMIN only, not by {writer}");

    /// <summary>
    /// A region's parameters: ADMIN anywhere; a finance bureau in its own region and the cities
    /// below it, never the national CN, a parent or a sibling; nobody else.
    /// </summary>
    public static Result<Unit> MayWriteRegion(PolicyWriter writer, RegionCode region)
    {
        switch (writer.Role)
        {
            case PolicyWriterRole.Admin:
                return Unit.Value;
            case PolicyWriterRole.FinanceBureau when region.Level != RegionLevel.National && region.IsWithin(writer.Region):
                return Unit.Value;
            case PolicyWriterRole.FinanceBureau:
                return new Refusal(ReasonCodes.RegionNotAllowed,
                    region.Level == RegionLevel.National
                        ? $"national ({region}) parameters are set by ADMIN only; the finance bureau of {writer.Region} sets {writer.Region} and the regions within it"
                        : $"the finance bureau of {writer.Region} sets policy for {writer.Region} and the regions within it, not {region}");
            default:
                return new Refusal(ReasonCodes.PolicyWriteNotAllowed, "only ADMIN or a finance bureau changes policy");
        }
    }

    /// <summary>
    /// Everything a new version must pass, in order: the writer may write its region; it takes
    /// effect today or later (no backdating) and its end, if any, is not before its start; its value
    /// is in range; no live version holds the same date. Returns the version to insert (its id may
    /// be a revision id when a withdrawn version held the date, see <see cref="PolicyResolver.CheckNew"/>).
    /// </summary>
    public static Result<PolicyVersion> CheckNewVersion(PolicyWriter writer, PolicyVersion candidate, DateOnly today, PolicyResolver existing)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existing);
        var allowed = MayWriteRegion(writer, candidate.Region);
        if (!allowed.IsOk)
            return allowed.Refusal;
        if (candidate.EffectiveFrom < today)
            return Backdated("a policy version", candidate.EffectiveFrom, today, "effective_from");
        return PolicyValueRanges.Check(candidate).Then(existing.CheckNew);
    }

    /// <summary>
    /// Parses and checks a proposed version from API text in one call: <see cref="PolicyVersion.TryCreate(string, string, DateOnly, DateOnly?, string, string)"/>
    /// then <see cref="CheckNewVersion"/>.
    /// </summary>
    public static Result<PolicyVersion> ProposeVersion(PolicyWriter writer, string key, string regionCode, DateOnly effectiveFrom,
        DateOnly? effectiveTo, string valueText, string source, DateOnly today, PolicyResolver existing) =>
        PolicyVersion.TryCreate(key, regionCode, effectiveFrom, effectiveTo, valueText, source)
            .Then(v => CheckNewVersion(writer, v, today, existing));

    /// <summary>
    /// A new LPR: ADMIN only; effective today or later; 0 &lt; rate &lt; 20%; after the latest entry
    /// (<see cref="LprTable.CheckNew"/>).
    /// </summary>
    public static Result<LprEntry> CheckNewLpr(PolicyWriter writer, LprEntry candidate, DateOnly today, LprTable existing)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existing);
        var allowed = MayWriteLpr(writer);
        if (!allowed.IsOk)
            return allowed.Refusal;
        if (candidate.EffectiveFrom < today)
            return Backdated("an LPR", candidate.EffectiveFrom, today, "effective_from");
        if (candidate.OneYear.Bp <= 0 || candidate.OneYear.Bp >= LprBpMaxExclusive)
            return new Refusal(ReasonCodes.PolicyValueOutOfRange,
                $"the 1-year LPR must be above 0 and below {LprBpMaxExclusive} bp (20%); got {candidate.OneYear.Bp} bp")
            {
                Details = new Dictionary<string, string> { ["field"] = "one_year_bp", ["parameter"] = "LPR_1Y", ["range"] = "0 < bp < 2000" },
            };
        return existing.CheckNew(candidate);
    }

    /// <summary>
    /// Withdraws (撤回) a version announced for the future: the writer may write its region, a reason
    /// is given, and today is before its effective date (on or after it, the version may have governed
    /// a decision already, so it stays; a new version replaces it instead). Returns the version as it
    /// now stands (with <see cref="PolicyVersion.Withdrawal"/>); persist a policy_version_withdrawals row.
    /// </summary>
    public static Result<PolicyVersion> CheckWithdrawal(PolicyWriter writer, PolicyVersion version, string reason, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(version);
        var allowed = MayWriteRegion(writer, version.Region);
        if (!allowed.IsOk)
            return allowed.Refusal;
        if (version.IsWithdrawn)
            return new Refusal(ReasonCodes.PolicyVersionAlreadyWithdrawn, $"{version.Id} is withdrawn already");
        if (today >= version.EffectiveFrom)
            return new Refusal(ReasonCodes.PolicyVersionAlreadyEffective,
                $"{version.Id} took effect on {version.EffectiveFrom:yyyy-MM-dd} (today is {today:yyyy-MM-dd}); a version can be withdrawn only before that day. Add a new version instead.");
        var text = TextInput.Check("reason", reason, WithdrawalReasonLengthMax, TextShape.MultiLine);
        if (!text.IsOk)
            return text.Refusal;
        if (!TextInput.HasVisibleCharacter(text.Value))
            return new Refusal(ReasonCodes.WithdrawalReasonRequired, "a withdrawal needs a reason (visible text)")
            {
                Details = new Dictionary<string, string> { ["field"] = "reason" },
            };
        return version with { Withdrawal = new PolicyWithdrawal(PolicyWithdrawalKind.Withdrawn, text.Value.Trim(), null) };
    }

    private static Refusal Backdated(string what, DateOnly from, DateOnly today, string field) =>
        new(ReasonCodes.EffectiveDateInPast,
            $"{what} takes effect today ({today:yyyy-MM-dd}, CST) or later, not {from:yyyy-MM-dd}: history is never rewritten")
        {
            Details = new Dictionary<string, string> { ["field"] = field },
        };
}
