using System.Text.RegularExpressions;
using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Proof.Tests.Support;
using Danbao.Server.Tests.Support;
using Xunit.Abstractions;
using ResidentIdNumber = Danbao.Domain.Borrowers.ResidentIdNumber;

namespace Danbao.Proof.Tests;

/// <summary>
/// No ID number ever reaches a log: every line every server of this run wrote (in-process
/// servers' captured logs, separate processes' stdout and stderr) is searched for each ID number
/// the tests used and for anything shaped like a valid resident ID number at all.
/// </summary>
[Collection(LogScanLast.LastCollection)]
public sealed partial class LogScanTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task No_ID_number_appears_in_any_log_line_of_the_run()
    {
        // Traffic of its own, so the scan proves something even when run alone: a loan submitted,
        // a duplicate borrower refused, and an ID number sent where none belongs.
        var idNumber = ProofIds.Next();
        var bank = server.As("icbc-gz");
        var application = Lifecycle.Application();
        application.Loan.Borrower.Person.IdNumber = idNumber;
        await bank.Loans.CreateLoanAsync(application);
        var again = Lifecycle.Application();
        again.Loan.Borrower.Person.IdNumber = idNumber;
        await CallAsync(() => bank.Loans.CreateLoanAsync(again).ResponseAsync);
        var malformed = Lifecycle.Application();
        malformed.Loan.Borrower.Person.IdNumber = idNumber[..17] + (idNumber[17] == '0' ? '1' : '0'); // wrong check character
        await CallAsync(() => bank.Loans.CreateLoanAsync(malformed).ResponseAsync);
        await CallAsync(() => bank.Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/" + idNumber }).ResponseAsync);
        await CallAsync(() => bank.Loans.ListLoansAsync(new ListLoansRequest { PageToken = idNumber }).ResponseAsync);

        var lines = DanbaoServer.Logs.Lines.Concat(ServerProcess.AllOutput).ToList();
        var issued = ProofIds.Issued.ToHashSet();
        issued.Add(malformed.Loan.Borrower.Person.IdNumber);
        var leaks = Leaks(lines, issued);
        // The detector itself works: a line carrying an ID number is caught, by both checks.
        Assert.Equal(2, Leaks([$"user {idNumber} logged"], issued).Count);
        output.WriteLine($"{lines.Count} log lines scanned ({DanbaoServer.Logs.Lines.Count} in-process, {ServerProcess.AllOutput.Count} from server processes) for {issued.Count} ID numbers and any valid one");
        Assert.True(DanbaoServer.Logs.Lines.Count > 0, "no log lines captured: the scan would prove nothing");
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Distinct().Take(20)));
    }

    private static List<string> Leaks(IEnumerable<string> lines, HashSet<string> issued)
    {
        var leaks = new List<string>();
        foreach (var line in lines)
        {
            foreach (var id in issued.Where(id => line.Contains(id, StringComparison.OrdinalIgnoreCase)))
            {
                leaks.Add($"{id} in: {line}");
            }
            foreach (Match match in IdShaped().Matches(line))
            {
                if (ResidentIdNumber.CheckCharacter(match.Value.AsSpan(0, 17)) == char.ToUpperInvariant(match.Value[17]))
                {
                    leaks.Add($"valid ID number {match.Value} in: {line}");
                }
            }
        }
        return leaks;
    }

    private static async Task CallAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException)
        {
            // Refusals are expected: what matters is what they logged.
        }
    }

    /// <summary>18 characters: 17 digits and a digit or X, not inside a longer run of digits.</summary>
    [GeneratedRegex(@"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")]
    private static partial Regex IdShaped();
}
