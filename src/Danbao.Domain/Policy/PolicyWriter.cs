namespace Danbao.Domain.Policy;

/// <summary>
/// The roles that matter to rule governance (§11). The server maps its caller's role: ADMIN →
/// <see cref="Admin"/>, FINANCE_BUREAU (财政局) → <see cref="FinanceBureau"/>, every other role → <see cref="Other"/>.
/// </summary>
public enum PolicyWriterRole
{
    Other,
    FinanceBureau,
    Admin,
}

/// <summary>Who asks to change policy: a role and the region the institution belongs to.</summary>
public readonly record struct PolicyWriter(PolicyWriterRole Role, RegionCode Region)
{
    public static PolicyWriter Admin => new(PolicyWriterRole.Admin, RegionCode.National);

    public static PolicyWriter FinanceBureauOf(RegionCode region) => new(PolicyWriterRole.FinanceBureau, region);

    public override string ToString() => $"{Role}@{Region}";
}
