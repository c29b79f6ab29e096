namespace Danbao.Domain.Borrowers;

/// <summary>The identity document a borrower is recorded by; residency follows from it, not from a declaration.</summary>
public enum IdentityDocumentType
{
    /// <summary>居民身份证: 18 characters (GB 11643).</summary>
    ResidentIdCard,

    /// <summary>港澳居民居住证: 18 characters like an ID card, starting 810000 (Hong Kong) or 820000 (Macau).</summary>
    HkMacauResidencePermit,

    /// <summary>台湾居民居住证: 18 characters, starting 830000.</summary>
    TaiwanResidencePermit,

    /// <summary>港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macau) and 8 or 10 digits; no birth date in the number.</summary>
    HomeReturnPermit,
}
