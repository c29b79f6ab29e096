using System.Text.Json;
using Danbao.Cli.Tests.Support;

namespace Danbao.Cli.Tests;

public sealed class OperatorOutputTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public void Money_is_shown_in_yuan_with_thousands_separators()
    {
        Assert.Equal("1,234,567.89", Amounts.Yuan(123_456_789));
        Assert.Equal("-0.05", Amounts.Yuan(-5));
        Assert.Equal("0.00", Amounts.Yuan(0));
    }

    [Fact]
    public void Figures_are_right_aligned_and_never_wrapped_when_the_terminal_is_narrow()
    {
        var output = new StringWriter();
        var cli = new CliContext(output, new StringWriter(), _ => null);
        cli.Console.Profile.Width = 60;
        new Report("bank", "outstanding (yuan)", "loans")
            .AddRow("工商银行广州分行 (a long institution name that cannot fit in sixty columns)", "1,234,567.89", "12")
            .AddRow("gzrcb", "5.00", "7")
            .Write(cli);
        var lines = output.ToString().Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 60, l));
        var big = Assert.Single(lines, l => l.Contains("1,234,567.89", StringComparison.Ordinal));
        var small = Assert.Single(lines, l => l.Contains("5.00 │", StringComparison.Ordinal));
        // Right-aligned: both amounts end the same distance from the end of their line (counted from the
        // right, since CJK characters are two columns wide on the left).
        Assert.Equal(big.TrimEnd().Length - (big.IndexOf("1,234,567.89", StringComparison.Ordinal) + "1,234,567.89".Length),
            small.TrimEnd().Length - (small.IndexOf("5.00 │", StringComparison.Ordinal) + "5.00".Length));
    }

    [Fact]
    public async Task With_json_stdout_carries_only_json_objects_and_the_text_goes_to_stderr()
    {
        var contribute = await server.Run(server.Key("gz-finance"), "fund", "contribute", "--fund", "gz-fund", "--amount", "1,000.50", "--date", "2026-06-01", "--json");
        Assert.True(contribute.ExitCode == 0, contribute.ToString());
        using (var reply = JsonDocument.Parse(contribute.Out))
        {
            Assert.Equal("100050", reply.RootElement.GetProperty("amountFen").GetString());
            Assert.Equal("institutions/gz-fund", reply.RootElement.GetProperty("fund").GetString());
        }

        var policy = await server.Run(server.Key("admin"), "policy", "show", "--region", "CN-GD-GZ", "--json");
        Assert.True(policy.ExitCode == 0, policy.ToString());
        var rows = policy.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(rows.Length > 10, policy.ToString());
        foreach (var row in rows)
        {
            using var json = JsonDocument.Parse(row);
            Assert.True(json.RootElement.TryGetProperty("parameter", out _), row);
        }
    }
}
