using Danbao.Client;
using Spectre.Console;

namespace Danbao.Cli;

/// <summary>
/// Where a run of the CLI writes and what it reads from the environment. The real program uses
/// the process's console and environment; tests pass string writers and a dictionary.
/// </summary>
public sealed class CliContext
{
    public const string DefaultServer = "http://127.0.0.1:50051";

    private readonly bool _interactive;

    public CliContext(TextWriter output, TextWriter error, Func<string, string?> environment, bool interactive = false)
    {
        Out = output;
        JsonOut = output;
        Error = error;
        Environment = environment;
        _interactive = interactive;
        Console = MakeConsole(output, interactive);
    }

    private static IAnsiConsole MakeConsole(TextWriter output, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 200;
        }
        return console;
    }

    /// <summary>
    /// --json: stdout carries only JSON (one object per line, <see cref="JsonOut"/>); the text a
    /// command would print for people, tables and progress go to stderr.
    /// </summary>
    public void UseJson()
    {
        Json = true;
        Out = Error;
        Console = MakeConsole(Error, _interactive);
    }

    /// <summary>Where JSON goes: stdout.</summary>
    public TextWriter JsonOut { get; }

    /// <summary>The process's console and environment.</summary>
    public static CliContext FromProcess() =>
        new(System.Console.Out, System.Console.Error, System.Environment.GetEnvironmentVariable,
            interactive: !System.Console.IsOutputRedirected);

    public TextWriter Out { get; private set; }

    public TextWriter Error { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>Tables and progress bars (plain text when output is not a terminal).</summary>
    public IAnsiConsole Console { get; private set; }

    /// <summary>Set from the global options before a command runs.</summary>
    public string Server { get; set; } = DefaultServer;

    public string? Key { get; set; }

    /// <summary>--json: print replies as protobuf JSON instead of tables.</summary>
    public bool Json { get; private set; }

    /// <summary>Overrides how clients are made (tests); default: <see cref="DanbaoClient"/> to <see cref="Server"/>.</summary>
    public Func<Uri, string?, DanbaoClient>? ClientFactory { get; init; }

    /// <summary>A client with the global --key (or DANBAO_KEY).</summary>
    public DanbaoClient Client() => ClientWithKey(Key);

    public DanbaoClient ClientWithKey(string? key)
    {
        if (!Uri.TryCreate(Server, UriKind.Absolute, out var address) || (address.Scheme != "http" && address.Scheme != "https"))
        {
            throw new UsageException($"--server '{Server}' is not an http:// or https:// address");
        }
        return ClientFactory is { } make ? make(address, key) : new DanbaoClient(address, key);
    }

    /// <summary>A client that must have a key: a usage error otherwise.</summary>
    public DanbaoClient KeyedClient()
    {
        if (string.IsNullOrWhiteSpace(Key))
        {
            throw new UsageException("this command needs an API key: --key dbk_… or DANBAO_KEY");
        }
        return Client();
    }

    /// <summary>DANBAO_DB, for the commands that work on the database directly.</summary>
    /// <remarks>Unset, ./run.sh's database: the connection string it writes to .danbao/database.txt
    /// (next to DANBAO_KEYS_FILE, whose default is .danbao/demo-keys.txt).</remarks>
    public string DatabaseConnectionString()
    {
        if (Environment(Danbao.Data.DatabaseOptions.ConnectionStringVariable) is { Length: > 0 } value)
        {
            return value;
        }
        var keys = Environment("DANBAO_KEYS_FILE") ?? Path.Combine(".danbao", "demo-keys.txt");
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keys))!, RunShDatabaseFile);
        return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } written
            ? written
            : throw new UsageException($"DANBAO_DB is not set and ./run.sh's {file} does not exist: give the PostgreSQL connection string (Host=…;Database=…)");
    }

    /// <summary>Where ./run.sh writes the connection string of the database it started.</summary>
    public const string RunShDatabaseFile = "database.txt";

    /// <summary>Today's business date in China Standard Time.</summary>
    public static DateOnly TodayCst() => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
}
