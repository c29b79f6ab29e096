namespace Danbao.Domain.Policy;

/// <summary>Unit of the publicity (公示) length: PUBLICITY_UNIT.</summary>
public enum PublicityUnit
{
    CalendarDays,
    WorkingDays,
}

/// <summary>What compensation (代偿) covers: COMPENSATION_BASE_MODE.</summary>
public enum CompensationBaseMode
{
    PrincipalAndInterest,
    PrincipalOnly,
}

/// <summary>Subsidy (贴息) formula version, chosen by disbursement date: SUBSIDY_FORMULA.</summary>
public enum SubsidyFormulaVersion
{
    /// <summary>2021-01-01 … 2023-09-30: s = r − (LPR − 1.50%), floored at 0 (财金〔2020〕21号).</summary>
    V2,

    /// <summary>From 2023-10-01: s = 50% × r (财金〔2023〕75号).</summary>
    V3,
}
