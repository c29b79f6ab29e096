using Danbao.Domain;
using Danbao.Domain.Loans;
using Danbao.Server.Errors;
using Danbao.Server.Validation;

namespace Danbao.Server.Loans;

/// <summary>Date-order refusals (<see cref="LoanDates"/>) as BadRequest field violations: "CODE: message" per field.</summary>
public static class LoanDateChecks
{
    public static void AddTo(FieldErrors errors, IEnumerable<FieldRefusal> refusals)
    {
        foreach (var r in refusals)
        {
            errors.Add(r.Field, $"{r.Code}: {r.Message}");
        }
    }

    /// <summary>INVALID_ARGUMENT listing every refused date, or nothing when all dates are in order.</summary>
    public static void ThrowIfAny(IReadOnlyList<FieldRefusal> refusals)
    {
        if (refusals.Count > 0)
        {
            throw RpcErrors.InvalidArgument("business dates out of order: " + string.Join("; ", refusals),
                refusals.Select(r => (r.Field, $"{r.Code}: {r.Message}")).ToArray());
        }
    }
}
