namespace Danbao.Domain.Policy;

/// <summary>
/// The policy as seen from one region on one governing date, with typed accessors. Every version
/// read is recorded in <see cref="Used"/>, so a decision can say which versions it relied on.
/// A missing parameter throws <see cref="DomainRefusalException"/> with POLICY_PARAMETER_MISSING;
/// the domain's decision methods catch it and return it as a refusal.
/// Not thread-safe: make one per decision.
/// </summary>
public sealed class PolicySnapshot
{
    private readonly PolicyResolver _resolver;
    private readonly List<PolicyVersion> _used = [];

    internal PolicySnapshot(PolicyResolver resolver, RegionCode region, DateOnly governingDate)
    {
        _resolver = resolver;
        Region = region;
        GoverningDate = governingDate;
    }

    public RegionCode Region { get; }

    public DateOnly GoverningDate { get; }

    /// <summary>Versions read so far, in first-read order, without duplicates.</summary>
    public IReadOnlyList<PolicyVersion> Used => _used;

    /// <summary>Resolves and records; throws <see cref="DomainRefusalException"/> if missing.</summary>
    public PolicyValue Get(string key)
    {
        var resolved = _resolver.Resolve(key, Region, GoverningDate);
        if (!resolved.IsOk)
            throw new DomainRefusalException(resolved.Refusal with { Versions = _used.ToArray() });
        Record(resolved.Value.Version);
        return resolved.Value.Value;
    }

    /// <summary>Resolves and records if present; null when no version is in force.</summary>
    public PolicyValue? TryGet(string key)
    {
        var resolved = _resolver.Resolve(key, Region, GoverningDate);
        if (!resolved.IsOk)
            return null;
        Record(resolved.Value.Version);
        return resolved.Value.Value;
    }

    /// <summary>The same policy for another governing date (e.g. the guarantee-contract date).</summary>
    public PolicySnapshot On(DateOnly governingDate) => new(_resolver, Region, governingDate);

    public Money IndividualCap => Get(PolicyParameters.IndividualLoanCap).AsMoney;

    public Money EnterpriseCap => Get(PolicyParameters.EnterpriseLoanCap).AsMoney;

    public Ratio PartnershipCapMultiplier => Get(PolicyParameters.PartnershipCapMultiplierBp).AsRatio;

    public int IndividualTermMaxMonths => Get(PolicyParameters.IndividualTermMaxMonths).AsInt;

    public int EnterpriseTermMaxMonths => Get(PolicyParameters.EnterpriseTermMaxMonths).AsInt;

    public int ExtensionCountMax => Get(PolicyParameters.ExtensionCountMax).AsInt;

    public int ExtensionMonthsMax => Get(PolicyParameters.ExtensionMonthsMax).AsInt;

    public bool SubsidyDuringExtension => Get(PolicyParameters.SubsidyDuringExtension).AsBool;

    public Money CounterGuaranteeThreshold => Get(PolicyParameters.CounterGuaranteeThreshold).AsMoney;

    public int ApplicantAgeMaxWomen => Get(PolicyParameters.ApplicantAgeMaxWomen).AsInt;

    public int ApplicantAgeMaxMen => Get(PolicyParameters.ApplicantAgeMaxMen).AsInt;

    public int HkMacauYouthAgeMax => Get(PolicyParameters.HkMacauYouthAgeMax).AsInt;

    public Money ConsumerLoanThreshold => Get(PolicyParameters.ConsumerLoanThreshold).AsMoney;

    public int SubsidisedLoanCountMax => Get(PolicyParameters.SubsidisedLoanCountMax).AsInt;

    public Ratio EnterpriseHiringRatio => Get(PolicyParameters.EnterpriseHiringRatioBp).AsRatio;

    public Ratio EnterpriseHiringRatioLarge => Get(PolicyParameters.EnterpriseHiringRatioLargeBp).AsRatio;

    public int EnterpriseLargeStaffThreshold => Get(PolicyParameters.EnterpriseLargeStaffThreshold).AsInt;

    public int SmallMicroStaffLimit => Get(PolicyParameters.SmallMicroStaffLimit).AsInt;

    public Money SmallMicroRevenueLimit => Get(PolicyParameters.SmallMicroRevenueLimit).AsMoney;

    public int PublicityLength => Get(PolicyParameters.PublicityLength).AsInt;

    public PublicityUnit PublicityUnit => Get(PolicyParameters.PublicityUnit).AsEnum switch
    {
        PolicyParameters.WorkingDays => PublicityUnit.WorkingDays,
        _ => PublicityUnit.CalendarDays,
    };

    public int ReportingDeadlineWorkingDays => Get(PolicyParameters.ReportingDeadlineWorkingDays).AsInt;

    public Rate RateSpread => Get(PolicyParameters.RateSpreadBp).AsRate;

    public Rate SubsidyV2BorrowerBelowLpr => Get(PolicyParameters.SubsidyV2BorrowerBelowLprBp).AsRate;

    public Ratio SubsidyV3Share => Get(PolicyParameters.SubsidyV3ShareBp).AsRatio;

    public Ratio RiskShareFund => Get(PolicyParameters.RiskShareFundBp).AsRatio;

    public Ratio RiskShareGovernmentGuarantor => Get(PolicyParameters.RiskShareGovernmentGuarantorBp).AsRatio;

    public int ClaimOverdueDaysMin => Get(PolicyParameters.ClaimOverdueDaysMin).AsInt;

    public CompensationBaseMode CompensationBaseMode => Get(PolicyParameters.CompensationBaseMode).AsEnum switch
    {
        PolicyParameters.PrincipalOnly => CompensationBaseMode.PrincipalOnly,
        _ => CompensationBaseMode.PrincipalAndInterest,
    };

    public int WriteOffWaitMonths => Get(PolicyParameters.WriteOffWaitMonths).AsInt;

    public int LeverageMultipleMax => Get(PolicyParameters.LeverageMultipleMax).AsInt;

    public Ratio AwardPoolCap => Get(PolicyParameters.AwardPoolCapBp).AsRatio;

    private void Record(PolicyVersion version)
    {
        if (!_used.Contains(version))
            _used.Add(version);
    }
}
