namespace Danbao.Domain.Compensation;

/// <summary>What a consent is for: paying the compensation, or confirming the write-off (呆账核销).</summary>
public enum ClaimConsentStage
{
    Compensation,
    WriteOff,
}

/// <summary>Who consents: the employment service (人社, HRSS), the finance bureau (财政), the PBOC branch (人民银行).</summary>
public enum ClaimConsentParty
{
    Hrss,
    Finance,
    Pboc,
}

/// <summary>One consent as recorded: the party's document reference and date, and who recorded it.</summary>
public sealed record ClaimConsent(ClaimConsentStage Stage, ClaimConsentParty Party, string Institution, string Reference, DateOnly ConsentDate);

/// <summary>
/// The consents each stage needs (policy.md §6): the operator pays only with HRSS, finance and
/// PBOC consent; a write-off is confirmed by HRSS and finance (PBOC takes no part in it).
/// </summary>
public static class ClaimConsents
{
    private static readonly ClaimConsentParty[] ForCompensation = [ClaimConsentParty.Hrss, ClaimConsentParty.Finance, ClaimConsentParty.Pboc];
    private static readonly ClaimConsentParty[] ForWriteOff = [ClaimConsentParty.Hrss, ClaimConsentParty.Finance];

    public static IReadOnlyList<ClaimConsentParty> RequiredFor(ClaimConsentStage stage) =>
        stage == ClaimConsentStage.Compensation ? ForCompensation : ForWriteOff;

    /// <summary>The required parties of <paramref name="stage"/> with no consent among <paramref name="recorded"/>.</summary>
    public static IReadOnlyList<ClaimConsentParty> Missing(ClaimConsentStage stage, IEnumerable<ClaimConsent> recorded)
    {
        var have = recorded.Where(c => c.Stage == stage).Select(c => c.Party).ToHashSet();
        return RequiredFor(stage).Where(p => !have.Contains(p)).ToArray();
    }

    public static string ToCode(this ClaimConsentStage stage) => stage == ClaimConsentStage.Compensation ? "COMPENSATION" : "WRITE_OFF";

    public static string ToCode(this ClaimConsentParty party) => party switch
    {
        ClaimConsentParty.Hrss => "HRSS",
        ClaimConsentParty.Finance => "FINANCE",
        _ => "PBOC",
    };
}
