namespace Danbao.Server.Loans;

/// <summary>Loan ids (<see cref="Resources.ResourceIds"/>): "L", 10 characters of creation time and 10 random.</summary>
public static class LoanIds
{
    public static string New(DateTimeOffset now) => Resources.ResourceIds.Loan(now);
}
