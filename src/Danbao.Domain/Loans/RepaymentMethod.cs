namespace Danbao.Domain.Loans;

/// <summary>How principal is repaid. Interest settles quarterly either way.</summary>
public enum RepaymentMethod
{
    /// <summary>All principal at maturity (到期一次还本), interest quarterly.</summary>
    Bullet,

    /// <summary>Equal principal instalments (等额本金) on each interest date, interest quarterly on the declining balance.</summary>
    EqualPrincipal,
}
