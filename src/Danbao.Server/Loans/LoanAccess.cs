using Danbao.Contracts.V1;
using Danbao.Data.Loans;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;

namespace Danbao.Server.Loans;

/// <summary>
/// Who sees which loan: a bank only its own; the fund operator, the employment service and the
/// finance bureau the loans of their region; an administrator all. A loan the caller may not
/// see is reported NOT_FOUND, so its existence does not leak.
/// </summary>
public static class LoanAccess
{
    public static bool CanSee(Identity.Caller caller, LoanRecord loan) => caller.Role switch
    {
        Role.Bank => loan.BankId == caller.InstitutionId,
        Role.Admin => true,
        _ => caller.CoversRegion(loan.Data.Region.Value),
    };

    public static LoanRecord Visible(Identity.Caller caller, LoanRecord? loan, string name) =>
        loan is not null && CanSee(caller, loan)
            ? loan
            : throw RpcErrors.NotFound("danbao.v1.Loan", name, $"{name} does not exist or is not visible to {caller.InstitutionId}");

    /// <summary>The loan id in a resource name "loans/{id}"; INVALID_ARGUMENT otherwise.</summary>
    public static string IdOf(string name, string field = "name")
    {
        if (!name.StartsWith("loans/", StringComparison.Ordinal) || name.Length is < 8 or > 40)
        {
            throw RpcErrors.InvalidArgument($"{field} must be a loan name like loans/L0123ABCDEF4567",
                (field, "a loan resource name, loans/{loan_id}"));
        }
        return name["loans/".Length..];
    }

    /// <summary>ABORTED when the caller's etag is not the loan's current one (someone changed it since).</summary>
    public static void CheckEtag(LoanRecord loan, string etag, bool required = true)
    {
        if (etag.Length == 0)
        {
            if (required)
            {
                throw RpcErrors.InvalidArgument("etag is required: pass the etag of the loan as you last read it",
                    ("etag", "required for state changes (optimistic concurrency)"));
            }
            return;
        }
        if (etag != LoanMapping.Etag(loan.Version))
        {
            throw RpcErrors.Aborted("ETAG_MISMATCH",
                $"loans/{loan.Data.Id} changed since you read it (your etag {etag}, now {loan.Version}); read it again and retry",
                new Dictionary<string, string> { ["current_etag"] = LoanMapping.Etag(loan.Version) });
        }
    }
}
