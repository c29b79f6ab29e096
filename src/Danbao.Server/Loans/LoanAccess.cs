using Danbao.Data.Loans;
using Danbao.Server.Identity;
using Danbao.Server.Resources;

namespace Danbao.Server.Loans;

/// <summary>
/// The loan's uses of the shared rules: who sees it (<see cref="AccessPolicy"/>), its name
/// (<see cref="ResourceNames.Loan"/>) and its etag (<see cref="Etags"/>).
/// </summary>
public static class LoanAccess
{
    public static bool CanSee(Caller caller, LoanRecord loan) => AccessPolicy.CanSee(caller, loan);

    public static LoanRecord Visible(Caller caller, LoanRecord? loan, string name) =>
        loan is not null && AccessPolicy.CanSee(caller, loan) ? loan : throw ResourceNames.Loan.NotFound(name, caller.InstitutionId);

    /// <summary>The loan id in a resource name "loans/{id}"; INVALID_ARGUMENT otherwise.</summary>
    public static string IdOf(string name, string field = "name") => ResourceNames.Loan.Parse(name, field);

    /// <summary>ABORTED when the caller's etag is not the loan's current one (someone changed it since).</summary>
    public static void CheckEtag(LoanRecord loan, string etag, bool required = true) =>
        Etags.Check(ResourceNames.Loan.Format(loan.Data.Id), loan.Version, etag, required ? EtagUse.Required : EtagUse.IfGiven);
}
