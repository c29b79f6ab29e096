namespace Danbao.Domain.Compensation;

/// <summary>Where a compensation (代偿) claim is (policy.md §6). Codes match compensation_claims.state.</summary>
public enum CompensationClaimState
{
    /// <summary>Filed by the bank; consents are collected, then the fund operator approves or rejects.</summary>
    Filed,

    /// <summary>Approved and paid: the fund paid its share and holds the claim against the borrower (追偿权).</summary>
    Approved,

    /// <summary>Refused by the fund operator, with its reason. Terminal: the loan goes back to overdue.</summary>
    Rejected,

    /// <summary>Written off (呆账核销), case kept (账销案存): recoveries go on, shared in the same ratio.</summary>
    WrittenOff,
}

/// <summary>The UPPER_SNAKE_CASE codes used on the wire and in the database.</summary>
public static class CompensationClaimStateCodes
{
    private static readonly Dictionary<CompensationClaimState, string> Codes = new()
    {
        [CompensationClaimState.Filed] = "FILED",
        [CompensationClaimState.Approved] = "APPROVED",
        [CompensationClaimState.Rejected] = "REJECTED",
        [CompensationClaimState.WrittenOff] = "WRITTEN_OFF",
    };

    private static readonly Dictionary<string, CompensationClaimState> States = Codes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static string ToCode(this CompensationClaimState state) => Codes[state];

    public static CompensationClaimState FromCode(string code) =>
        States.TryGetValue(code, out var state) ? state : throw new FormatException($"'{code}' is not a compensation claim state");
}
