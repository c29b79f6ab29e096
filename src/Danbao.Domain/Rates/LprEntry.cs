namespace Danbao.Domain.Rates;

/// <summary>One 1-year LPR (贷款市场报价利率) publication: in force from its date until the next.</summary>
public sealed record LprEntry(DateOnly EffectiveFrom, Rate OneYear, string Source);
