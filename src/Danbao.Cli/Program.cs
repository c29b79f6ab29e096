using System.CommandLine;
using System.CommandLine.Help;
using System.Net.Sockets;
using Danbao.Client;
using Danbao.Cli.Commands;
using Grpc.Core;
using Npgsql;

namespace Danbao.Cli;

/// <summary>`danbao`: the operator's commands. <see cref="Run"/> is the whole program, callable in-process.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => Run(args, CliContext.FromProcess());

    /// <summary>Runs one command line; returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> Run(string[] args, CliContext cli, CancellationToken ct = default)
    {
        var root = Build(cli);
        // No @response-files: "--key @institution" names a key in the keys file.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var invocation = new InvocationConfiguration { Output = cli.Out, Error = cli.Error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var error in parsed.Errors)
            {
                await cli.Error.WriteLineAsync("danbao: " + error.Message);
            }
            var command = string.Join(' ', parsed.CommandResult.Command is RootCommand ? ["danbao"] : Path(parsed.CommandResult));
            await cli.Error.WriteLineAsync($"Try '{command} --help'.");
            return ExitCodes.Usage;
        }
        cli.Server = parsed.GetValue(Global.Server) ?? cli.Environment("DANBAO_SERVER") ?? CliContext.DefaultServer;
        cli.Key = parsed.GetValue(Global.Key) ?? cli.Environment("DANBAO_KEY");
        if (parsed.GetValue(Global.Json))
        {
            cli.UseJson();
        }
        try
        {
            cli.Key = KeyFromFile(cli.Key, cli.Environment);
            return await parsed.InvokeAsync(invocation, ct);
        }
        catch (UsageException e)
        {
            await cli.Error.WriteLineAsync("danbao: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            // Either no connection at all, or the server answered that it cannot reach its database (with a reason): retry later.
            await cli.Error.WriteLineAsync(e.Reason() is { } reason
                ? $"danbao: the server at {cli.Server} is unavailable ({reason}): {e.Status.Detail}; retry later"
                : $"danbao: cannot reach the server at {cli.Server}: {e.Status.Detail}");
            return ExitCodes.CannotConnect;
        }
        catch (RpcException e)
        {
            await cli.Error.WriteLineAsync(Describe(e));
            return ExitCodes.Refused;
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException or TimeoutException || e is { IsTransient: true, SqlState: null })
        {
            await cli.Error.WriteLineAsync("danbao: cannot connect to the database (DANBAO_DB): " + e.Message);
            return ExitCodes.CannotConnect;
        }
        catch (PostgresException e)
        {
            await cli.Error.WriteLineAsync($"danbao: the database refused: {e.SqlState} {e.MessageText}");
            return ExitCodes.Refused;
        }
    }

    /// <summary>
    /// "@gz-finance" → that institution's key from DANBAO_KEYS_FILE (default .danbao/demo-keys.txt,
    /// the file ./run.sh writes: one "institution=dbk_…" per line); anything else as given.
    /// </summary>
    public static string? KeyFromFile(string? key, Func<string, string?> environment)
    {
        if (key is null || !key.StartsWith('@'))
        {
            return key;
        }
        var file = environment("DANBAO_KEYS_FILE") ?? System.IO.Path.Combine(".danbao", "demo-keys.txt");
        if (!File.Exists(file))
        {
            throw new UsageException($"--key {key}: no keys file {System.IO.Path.GetFullPath(file)} (set DANBAO_KEYS_FILE)");
        }
        return File.ReadAllLines(file).Select(line => line.Split('=', 2)).Where(p => p.Length == 2 && p[0].Trim() == key[1..])
            .Select(p => p[1].Trim()).FirstOrDefault()
            ?? throw new UsageException($"--key {key}: no key for '{key[1..]}' in {System.IO.Path.GetFullPath(file)}");
    }

    /// <summary>"refused: FAILED_PRECONDITION RATE_ABOVE_CAP: message" plus one line per bad field.</summary>
    public static string Describe(RpcException e)
    {
        var reason = e.Reason();
        var text = $"danbao: refused: {e.StatusName()}{(reason is null ? "" : " " + reason)}: {e.Status.Detail}";
        foreach (var (field, description) in e.FieldViolations())
        {
            text += $"{System.Environment.NewLine}  {field}: {description}";
        }
        return text;
    }

    public static RootCommand Build(CliContext cli)
    {
        var root = new RootCommand("""
            Operate a Danbao (担保) server: keys, policy, calendar, LPR, demo data, batch, ledger checks, exports.
            Exit codes: 0 ok, 1 refused by the server (reason printed), 2 usage, 3 cannot connect, 4 ledger inconsistent.
            """);
        root.Add(Global.Server);
        root.Add(Global.Key);
        root.Add(Global.Json);
        root.Add(MigrateCommand.Build(cli));
        root.Add(WhoAmICommand.Build(cli));
        root.Add(HealthCommand.Build(cli));
        root.Add(KeysCommand.Build(cli));
        root.Add(PolicyCommand.Build(cli));
        root.Add(CalendarCommand.Build(cli));
        root.Add(LprCommand.Build(cli));
        root.Add(BatchCommand.Build(cli));
        root.Add(VerifyCommand.Build(cli));
        root.Add(DemoCommand.Build(cli));
        root.Add(SubsidyCommand.Build(cli));
        root.Add(ReconcileCommand.Build(cli));
        root.Add(StatementCommand.Build(cli));
        root.Add(ReportCommand.Build(cli));
        root.Add(LoanCommand.Build(cli));
        root.Add(FundCommand.Build(cli));
        root.Add(BusinessDateCommand.Build(cli));
        root.Add(AwardsCommand.Build(cli));
        return root;
    }

    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Command is RootCommand ? "danbao" : r.Command.Name);
        }
        return names;
    }
}

/// <summary>Options every command takes.</summary>
public static class Global
{
    public static readonly Option<string> Server = new("--server")
    {
        Description = "Server address, http:// (h2c) or https:// [env DANBAO_SERVER; default http://127.0.0.1:50051]",
        Recursive = true,
    };

    public static readonly Option<string> Key = new("--key")
    {
        Description = "API key dbk_… to call with, or @institution to read it from DANBAO_KEYS_FILE (default .danbao/demo-keys.txt, written by ./run.sh) [env DANBAO_KEY]",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the server's replies as protobuf JSON, one object per line, instead of tables",
        Recursive = true,
    };
}
