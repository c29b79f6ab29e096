namespace Danbao.Proof.Tests.Support;

/// <summary>
/// Server failures the proof suites found and reported, each with the test that fails until it
/// is fixed. The fuzzer tolerates these (so it keeps proving everything else); nothing else.
/// </summary>
public static class KnownBugs
{
    /// <summary>
    /// ListLoans with a state filter outside the enum (e.g. 99) throws in LoanMapping.ToDomain and
    /// answers INTERNAL instead of INVALID_ARGUMENT. Test: BadInputTests.ListLoans_with_an_unknown_state_filter_is_INVALID_ARGUMENT.
    /// </summary>
    public const string ListLoansUnknownState = "LoanMapping.ToDomain";

    public static bool Reported(string logLine) =>
        logLine.Contains("/danbao.v1.LoanService/ListLoans failed System.InvalidOperationException", StringComparison.Ordinal)
        && logLine.Contains(ListLoansUnknownState, StringComparison.Ordinal);
}
