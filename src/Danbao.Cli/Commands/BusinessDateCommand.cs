using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;

namespace Danbao.Cli.Commands;

/// <summary>`danbao business-date [show|advance]`: a sandbox's "today", moved forward only.</summary>
internal static class BusinessDateCommand
{
    public static Command Build(CliContext cli)
    {
        var command = new Command("business-date", "The server's business date (CST): a sandbox's is set at start (./run.sh --business-date) and moved forward by an administrator");
        var show = new Command("show", "Today's business date on the server, and whether it is a sandbox. Key role: any");
        show.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var reply = await client.Admin.GetBusinessDateAsync(new GetBusinessDateRequest(), cancellationToken: ct);
            Output.Write(cli, reply, $"{reply.Date} ({reply.Environment})");
            return ExitCodes.Ok;
        });
        var to = new Option<string>("--to") { Description = "The new business date YYYY-MM-DD (on or after the current one)" };
        var days = new Option<int?>("--days") { Description = "Move forward this many calendar days (1–3660)" };
        var advance = new Command("advance", """
            Move a sandbox's business date forward (never back): --to D or --days N. Every rule then sees that date as today:
            filing windows, "not after today", batches. Refused by a production server. Key role: ADMIN
            """) { to, days };
        advance.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(to);
            var step = parse.GetValue(days);
            if ((given is null) == (step is null))
            {
                throw new UsageException("give either --to YYYY-MM-DD or --days N");
            }
            if (step is < 1 or > 3660)
            {
                throw new UsageException("--days must be 1 to 3660");
            }
            using var client = cli.KeyedClient();
            var target = given is not null
                ? Dates.Parse(given, "--to", default)
                : (await Dates.OrServerToday(null, "--days", client, ct)).AddDays(step!.Value);
            var reply = await client.Admin.AdvanceBusinessDateAsync(new AdvanceBusinessDateRequest
            {
                RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(target),
            }, cancellationToken: ct);
            Output.Write(cli, reply, reply.PreviousDate == reply.Date
                ? $"The business date is already {reply.Date}."
                : $"Business date moved from {reply.PreviousDate} to {reply.Date}.");
            return ExitCodes.Ok;
        });
        command.Add(show);
        command.Add(advance);
        command.Action = show.Action;
        return command;
    }
}
