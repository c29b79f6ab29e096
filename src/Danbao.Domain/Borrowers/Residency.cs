namespace Danbao.Domain.Borrowers;

/// <summary>Where a borrower is a resident; HK and Macau residents can be recognised HK/Macau youth (港澳青年).</summary>
public enum Residency
{
    Mainland,
    HongKong,
    Macau,
    Taiwan,
}
