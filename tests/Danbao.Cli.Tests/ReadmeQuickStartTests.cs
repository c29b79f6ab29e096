using System.Text;
using System.Text.RegularExpressions;
using Danbao.Cli.Tests.Support;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Tests;

/// <summary>
/// The README's first calls, run as written: every `./danbao …` line of the CLI block under
/// "### First calls" against a fresh server with the demo keys, so the quick start cannot rot.
/// </summary>
public sealed class ReadmeQuickStartTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task The_readme_quick_start_takes_a_loan_from_application_to_disbursement_and_a_first_repayment()
    {
        var commands = ReadmeShell.Commands(ReadmeShell.FirstCallsCliBlock());
        Assert.True(commands.Count >= 10, $"the README's CLI block has {commands.Count} commands");
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var environment = new Dictionary<string, string?>
        {
            ["DANBAO_SERVER"] = server.Address,
            ["DANBAO_KEYS_FILE"] = Path.Combine(server.Directory, "keys.txt"),
            ["DANBAO_DB"] = server.Database.ConnectionString,
        };
        foreach (var command in commands)
        {
            var (target, words) = ReadmeShell.Parse(command, variables);
            Assert.True(words[0] == "./danbao", $"not a ./danbao command: {command}");
            var run = await CliServer.RunWith(environment, words[1..]);
            Assert.True(run.ExitCode == 0, $"{command}\n{run}");
            if (target is not null)
            {
                variables[target] = run.Out.Trim();
            }
        }

        // Where the walk left the loan, read through the API: disbursed, the first interest paid, and
        // (after today's batch, a year on) overdue for the interest due since.
        using var bank = server.As("icbc-gz");
        var loan = await bank.Loans.GetLoanAsync(new GetLoanRequest { Name = variables["LOAN"] });
        Assert.Equal(LoanState.Overdue, loan.State);
        Assert.Equal("2025-06-10", loan.DisbursementDate);
        Assert.Equal(10_000_000, loan.OutstandingPrincipalFen);
        Assert.Equal("2025-06-20", loan.InterestPaidToDate);
        Assert.Equal(8000, loan.FundRiskShareBp);
    }

    [Fact]
    public void The_readme_cites_the_policy_reference_inside_the_repository()
    {
        var readme = File.ReadAllText(ReadmeShell.ReadmePath());
        var links = Regex.Matches(readme, @"\]\(([^)#]+policy\.md)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("docs/policy.md", links);
        Assert.DoesNotContain(links, l => l.StartsWith("..", StringComparison.Ordinal));
        Assert.Contains("创业担保贷款", File.ReadAllText(Path.Combine(Path.GetDirectoryName(ReadmeShell.ReadmePath())!, "docs", "policy.md")));
    }
}

/// <summary>
/// Just enough of the shell to run the README's CLI lines as written: comments, '…' and "…" quoting
/// (across lines), backslash continuations, $VAR, and VAR=$(command).
/// </summary>
internal static class ReadmeShell
{
    public static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(path) && File.Exists(Path.Combine(dir.FullName, "run.sh")))
            {
                return path;
            }
        }
        throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first ```bash block under "### First calls" that runs ./danbao.</summary>
    public static string FirstCallsCliBlock()
    {
        var readme = File.ReadAllText(ReadmePath());
        var section = readme[readme.IndexOf("### First calls", StringComparison.Ordinal)..];
        return Regex.Matches(section, "```bash\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value)
            .First(block => block.Contains("./danbao ", StringComparison.Ordinal));
    }

    /// <summary>The block's commands, each as its raw text (comments dropped, quotes kept).</summary>
    public static List<string> Commands(string block)
    {
        var commands = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var depth = 0;
        for (var i = 0; i < block.Length; i++)
        {
            var c = block[i];
            if (quote is null && c == '#' && (current.Length == 0 || char.IsWhiteSpace(current[^1])))
            {
                while (i + 1 < block.Length && block[i + 1] != '\n')
                {
                    i++;
                }
                continue;
            }
            if (quote is null && c == '\\' && i + 1 < block.Length && block[i + 1] == '\n')
            {
                i++;
                current.Append(' ');
                continue;
            }
            if (c is '\'' or '"' && (quote is null || quote == c))
            {
                quote = quote is null ? c : null;
            }
            else if (quote is null && c == '(')
            {
                depth++;
            }
            else if (quote is null && c == ')')
            {
                depth--;
            }
            if (c == '\n' && quote is null && depth == 0)
            {
                if (current.ToString().Trim() is { Length: > 0 } command)
                {
                    commands.Add(command);
                }
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        if (current.ToString().Trim() is { Length: > 0 } last)
        {
            commands.Add(last);
        }
        return commands;
    }

    /// <summary>(VAR of VAR=$(…) or null, the words after quote removal and $VAR expansion).</summary>
    public static (string? Target, string[] Words) Parse(string command, IReadOnlyDictionary<string, string> variables)
    {
        string? target = null;
        var capture = Regex.Match(command, @"^([A-Za-z_][A-Za-z0-9_]*)=\$\((.*)\)$", RegexOptions.Singleline);
        if (capture.Success)
        {
            target = capture.Groups[1].Value;
            command = capture.Groups[2].Value;
        }
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c is '\'' or '"' && (quote is null || quote == c))
            {
                quote = quote is null ? c : null;
                continue;
            }
            if (c == '$' && quote != '\'')
            {
                var name = Regex.Match(command[(i + 1)..], "^[A-Za-z_][A-Za-z0-9_]*").Value;
                Assert.True(name.Length > 0 && variables.ContainsKey(name), $"unset variable at: {command[i..]}");
                word.Append(variables[name]);
                i += name.Length;
                continue;
            }
            word.Append(c);
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return (target, words.ToArray());
    }
}
