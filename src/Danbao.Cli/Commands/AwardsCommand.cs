using System.CommandLine;
using System.Globalization;
using Danbao.Client;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Commands;

/// <summary>`danbao awards propose|approve|show`: the finance bureau's incentive awards (奖补) for a finished year.</summary>
internal static class AwardsCommand
{
    public static Command Build(CliContext cli)
    {
        var awards = new Command("awards", "Incentive awards (奖补), capped at a share of the year's new lending");
        var year = new Option<int>("--year") { Description = "The finished year, e.g. 2025", Required = true };
        var region = new Option<string>("--region") { Description = "Region, e.g. CN-GD-GZ (default the key's)" };
        var scores = new Option<string[]>("--score")
        {
            Description = "institution=score in bp (0–10000) for each bank or fund operator to award, repeatable, e.g. --score icbc-gz=9000 --score gz-fund=8000",
            AllowMultipleArgumentsPerToken = true,
            Required = true,
        };
        var propose = new Command("propose", "The cap and the server's proposal: pro rata to new lending × score. Changes nothing. Key role: FINANCE_BUREAU") { year, region, scores };
        propose.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var proposal = await client.Awards.ProposeAwardsAsync(Proposal(parse, year, region, scores), cancellationToken: ct);
            Print(cli, proposal, proposal.Region, proposal.Year, proposal.NewLendingFen, proposal.CapFen, proposal.TotalFen, proposal.Lines, "proposed");
            return ExitCodes.Ok;
        });
        var date = new Option<string>("--date") { Description = "Payment date YYYY-MM-DD (default the server's today)" };
        var approve = new Command("approve", """
            Approve the server's proposal as it stands (same --score) and pay it: one ledger payment, finance → each institution.
            Once per region and year. Key role: FINANCE_BUREAU
            """) { year, region, scores, date };
        approve.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var proposal = await client.Awards.ProposeAwardsAsync(Proposal(parse, year, region, scores), cancellationToken: ct);
            var request = new ApproveAwardsRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Region = proposal.Region, Year = proposal.Year,
                BusinessDate = Dates.Text(await Dates.OrServerToday(parse.GetValue(date), "--date", client, ct)),
            };
            request.Awards.AddRange(proposal.Lines.Select(l => new AwardAmount { Institution = l.Institution, AmountFen = l.AmountFen, ScoreBp = l.ScoreBp }));
            var set = await client.Awards.ApproveAwardsAsync(request, cancellationToken: ct);
            Print(cli, set, set.Region, set.Year, set.NewLendingFen, set.CapFen, set.TotalFen, set.Lines, $"approved on {set.ApprovedDate}, ledger tx {set.LedgerTransactionId}");
            return ExitCodes.Ok;
        });
        var show = new Command("show", "The approved awards of a region and year. Key role: FINANCE_BUREAU, FUND_OPERATOR, EMPLOYMENT_SERVICE or ADMIN") { year, region };
        show.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var set = await client.Awards.GetAwardsAsync(new GetAwardsRequest { Year = parse.GetValue(year), Region = parse.GetValue(region) ?? "" }, cancellationToken: ct);
            Print(cli, set, set.Region, set.Year, set.NewLendingFen, set.CapFen, set.TotalFen, set.Lines, $"approved on {set.ApprovedDate}");
            return ExitCodes.Ok;
        });
        awards.Add(propose);
        awards.Add(approve);
        awards.Add(show);
        return awards;
    }

    private static ProposeAwardsRequest Proposal(System.CommandLine.ParseResult parse, Option<int> year, Option<string> region, Option<string[]> scores)
    {
        var request = new ProposeAwardsRequest { Year = parse.GetValue(year), Region = parse.GetValue(region) ?? "" };
        foreach (var score in parse.GetValue(scores) ?? [])
        {
            var parts = score.Split('=', 2);
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bp) || bp > 10_000)
            {
                throw new UsageException($"--score '{score}': institution=bp with bp 0–10000, e.g. icbc-gz=9000");
            }
            request.Scores.Add(new AwardScore { Institution = KeysCommand.Institution(parts[0]), ScoreBp = bp });
        }
        return request;
    }

    private static void Print(CliContext cli, Google.Protobuf.IMessage reply, string region, int year, long newLendingFen, long capFen, long totalFen,
        IEnumerable<AwardLine> lines, string what)
    {
        if (cli.Json)
        {
            cli.JsonOut.WriteLine(Output.Json(reply));
            return;
        }
        cli.Out.WriteLine($"Awards {region} {year} ({what}): new lending {Amounts.Yuan(newLendingFen)} yuan, cap {Amounts.Yuan(capFen)} yuan, total {Amounts.Yuan(totalFen)} yuan.");
        var table = new Report("institution", "new lending (yuan)", "score (bp)", "award (yuan)");
        foreach (var line in lines)
        {
            table.AddRow(line.Institution, Amounts.Yuan(line.NewLendingFen), $"{line.ScoreBp}", Amounts.Yuan(line.AmountFen));
        }
        table.Write(cli);
    }
}
