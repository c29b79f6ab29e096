using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Verification;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao batch run`: the end-of-day batch for a business date.</summary>
internal static class BatchCommand
{
    public static Command Build(CliContext cli)
    {
        var batch = new Command("batch", "End-of-day processing");
        var date = new Option<string>("--business-date") { Description = "Business date YYYY-MM-DD (default today, CST); not after the server's today" };
        var run = new Command("run", "Mark overdue loans, cure repaid ones, conclude expired publicity, for a business date. Key role: ADMIN (all regions) or FUND_OPERATOR (its region)") { date };
        run.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var on = await Dates.OrServerToday(parse.GetValue(date), "--business-date", client, ct);
            var reply = await client.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(on) }, cancellationToken: ct);
            var table = new Report("business date", "marked overdue", "back to current", "publicities ended");
            table.AddRow(reply.BusinessDate, $"{reply.LoansMarkedOverdue}", $"{reply.LoansBackToCurrent}", $"{reply.PublicitiesEnded}");
            table.Write(cli);
            return ExitCodes.Ok;
        });
        batch.Add(run);
        return batch;
    }
}

/// <summary>`danbao verify`: the ledger's and the write path's invariants, checked directly on DANBAO_DB.</summary>
internal static class VerifyCommand
{
    public static Command Build(CliContext cli)
    {
        var command = new Command("verify", """
            Check DANBAO_DB (read-only, safe on a live database): every ledger transaction balances and every balance equals
            its entries; each request took effect at most once and every claimed write completed; each loan's principal is its
            amount less the principal repaid; each subsidy claim's lines belong to it, a settled claim's payment has exactly its
            paid lines, and an unreviewed claim's counters of pending on-time lines are its lines'. Exit 4 when anything does not hold
            """);
        command.SetAction(async (parse, ct) =>
        {
            await using var database = new Database(new DatabaseOptions { ConnectionString = cli.DatabaseConnectionString() });
            var report = await InvariantCheck.RunAsync(database.DataSource, ct);
            var table = new Report("checked", "rows");
            foreach (var (name, count) in report.Counts)
            {
                table.AddRow(name, $"{count}");
            }
            table.Write(cli);
            foreach (var problem in report.Problems)
            {
                cli.Out.WriteLine("  " + problem);
            }
            cli.Out.WriteLine(report.Ok ? "Ledger consistent; every invariant holds." : $"INCONSISTENT: {report.Problems.Count} problem(s).");
            return report.Ok ? ExitCodes.Ok : ExitCodes.Inconsistent;
        });
        return command;
    }
}
