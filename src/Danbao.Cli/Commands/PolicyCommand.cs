using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;
using Google.Protobuf;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao policy show|set`, `danbao calendar load`, `danbao lpr set|list`: policy as data, through PolicyService.</summary>
internal static class PolicyCommand
{
    public static Command Build(CliContext cli)
    {
        var policy = new Command("policy", "Show the policy parameters that govern a region on a date, or add a new version");
        policy.Add(Show(cli));
        policy.Add(Set(cli));
        return policy;
    }

    private static Command Show(CliContext cli)
    {
        var region = new Option<string>("--region") { Description = "Region code, e.g. CN-GD-GZ", DefaultValueFactory = _ => "CN-GD-GZ" };
        var date = new Option<string>("--date") { Description = "Business date YYYY-MM-DD (default today, CST)" };
        var parameters = new Option<string[]>("--parameter") { Description = "Only these parameters (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("show", "Which value governs each parameter in a region on a date, and which version supplied it") { region, date, parameters };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var on = await Dates.OrServerToday(parse.GetValue(date), "--date", client, ct);
            var request = new ResolvePolicyRequest { Region = parse.GetValue(region)!, Date = Dates.Text(on) };
            request.Parameters.AddRange(parse.GetValue(parameters) ?? []);
            var resolved = await client.Policy.ResolvePolicyAsync(request, cancellationToken: ct);
            var table = new Report("parameter", "value", "from region", "in force since");
            foreach (var v in resolved.Values)
            {
                table.AddRow(Markup.Escape(v.Parameter), Markup.Escape(v.Value), v.Region, v.EffectiveFromDate);
            }
            cli.Out.WriteLine($"Policy for {request.Region} on {request.Date}:");
            table.Write(cli);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set(CliContext cli)
    {
        var parameter = new Option<string>("--parameter") { Description = "Parameter key, e.g. INDIVIDUAL_CAP_FEN", Required = true };
        var region = new Option<string>("--region") { Description = "Region the version applies to (CN, CN-GD, CN-GD-GZ…)", Required = true };
        var from = new Option<string>("--from") { Description = "Effective from date YYYY-MM-DD", Required = true };
        var value = new Option<string>("--value") { Description = "Value as text (money in fen, rates in bp)", Required = true };
        var source = new Option<string>("--source") { Description = "The text the value comes from, e.g. 财金〔2023〕75号", Required = true };
        var command = new Command("set", "Add a policy version from a date (history is never rewritten). Key role: ADMIN or FINANCE_BUREAU")
        {
            parameter, region, from, value, source,
        };
        command.SetAction(async (parse, ct) =>
        {
            var effective = Dates.Parse(parse.GetRequiredValue(from), "--from", default);
            using var client = cli.KeyedClient();
            var created = await client.Policy.CreatePolicyVersionAsync(new CreatePolicyVersionRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Version = new PolicyVersion
                {
                    Parameter = parse.GetRequiredValue(parameter), Region = parse.GetRequiredValue(region),
                    EffectiveFromDate = Dates.Text(effective), Value = parse.GetRequiredValue(value), Source = parse.GetRequiredValue(source),
                },
            }, cancellationToken: ct);
            cli.Out.WriteLine($"{created.Name}: {created.Parameter} = {created.Value} in {created.Region} from {created.EffectiveFromDate}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

internal static class CalendarCommand
{
    public static Command Build(CliContext cli)
    {
        var calendar = new Command("calendar", "The official working-day tables (放假 and 调休上班 days)");
        var file = new Argument<FileInfo>("file")
        {
            Description = """JSON of one year: {"year": 2027, "daysOff": ["2027-01-01", …], "makeupWorkingDays": ["2027-02-07", …]}""",
        };
        var load = new Command("load", "Load a year's working-day table from a JSON file. Key role: ADMIN") { file };
        load.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new UsageException($"no such file: {path.FullName}");
            }
            CalendarYear year;
            try
            {
                year = JsonParser.Default.Parse<CalendarYear>(await File.ReadAllTextAsync(path.FullName, ct));
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
            {
                throw new UsageException($"{path.Name} is not a calendar year in JSON: {e.Message}");
            }
            using var client = cli.KeyedClient();
            var loaded = await client.Policy.LoadCalendarYearAsync(new LoadCalendarYearRequest { RequestId = DanbaoClient.NewRequestId(), Calendar = year }, cancellationToken: ct);
            cli.Out.WriteLine($"Loaded {loaded.Year}: {loaded.DaysOff.Count} days off, {loaded.MakeupWorkingDays.Count} make-up working days");
            return ExitCodes.Ok;
        });
        calendar.Add(load);
        var yearOption = new Argument<int>("year") { Description = "e.g. 2026" };
        var show = new Command("show", "Print a loaded year's table as JSON (the format `calendar load` reads)") { yearOption };
        show.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var year = await client.Policy.GetCalendarYearAsync(new GetCalendarYearRequest { Year = parse.GetRequiredValue(yearOption) }, cancellationToken: ct);
            cli.Out.WriteLine(JsonFormatter.Default.Format(year));
            return ExitCodes.Ok;
        });
        calendar.Add(show);
        return calendar;
    }
}

internal static class LprCommand
{
    public static Command Build(CliContext cli)
    {
        var lpr = new Command("lpr", "The 1-year Loan Prime Rate history the rate cap and the subsidy use");
        var from = new Option<string>("--from") { Description = "Effective from date YYYY-MM-DD", Required = true };
        var bp = new Option<int>("--bp") { Description = "The 1-year LPR in basis points (3.00% = 300)", Required = true };
        var source = new Option<string>("--source") { Description = "Where it was published", DefaultValueFactory = _ => "PBOC/NIFC 1Y LPR" };
        var set = new Command("set", "Publish a new 1-year LPR from a date. Key role: ADMIN (the LPR is national; from today or later)") { from, bp, source };
        set.SetAction(async (parse, ct) =>
        {
            var effective = Dates.Parse(parse.GetRequiredValue(from), "--from", default);
            using var client = cli.KeyedClient();
            var rate = await client.Policy.CreateLprRateAsync(new CreateLprRateRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Rate = new LprRate { EffectiveFromDate = Dates.Text(effective), OneYearBp = parse.GetValue(bp), Source = parse.GetValue(source)! },
            }, cancellationToken: ct);
            cli.Out.WriteLine($"LPR {rate.OneYearBp} bp from {rate.EffectiveFromDate} ({rate.Source})");
            return ExitCodes.Ok;
        });
        lpr.Add(set);
        var list = new Command("list", "The LPR history");
        list.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var rates = await client.Policy.ListLprRatesAsync(new ListLprRatesRequest(), cancellationToken: ct);
            var table = new Report("from", "1-year LPR (bp)", "source");
            foreach (var r in rates.Rates)
            {
                table.AddRow(r.EffectiveFromDate, r.OneYearBp.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(r.Source));
            }
            table.Write(cli);
            return ExitCodes.Ok;
        });
        lpr.Add(list);
        return lpr;
    }
}
