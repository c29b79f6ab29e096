using System.Globalization;
using System.Net;

namespace Danbao.Server.Hosting;

/// <summary>
/// Everything the server can be told, from the command line and the environment. Each setting is
/// listed in the README's configuration reference with its default.
/// </summary>
public sealed record ServerSettings
{
    public IPAddress Listen { get; init; } = IPAddress.Loopback;
    public int Port { get; init; } = 50051;
    public bool Interop { get; init; }
    public bool Migrate { get; init; }
    /// <summary>Local setup: create demo institutions and keys, and write their secrets to this file.</summary>
    public string? DemoKeysFile { get; init; }
    public string? TlsCertificateFile { get; init; }
    public string? TlsKeyFile { get; init; }
    /// <summary>CA whose client certificates are accepted (mTLS). Without it, TLS only.</summary>
    public string? ClientCaFile { get; init; }
    public string? PiiKeyFile { get; init; }
    public string ConnectionString { get; init; } = "";
    public bool JsonLogs { get; init; }
    /// <summary>Log one OK call in N (1: every call, 0: none); calls that do not end OK are always logged.</summary>
    public int LogOkCallsEvery { get; init; } = LogOkCallsEveryDefault;
    public const int LogOkCallsEveryDefault = 100;
    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT: push metrics and traces over OTLP to this collector (default: off).</summary>
    public string? OtlpEndpoint { get; init; }
    public int MaxMessageBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>Serve GET /metrics (Prometheus text, HTTP/1.1) on this port of the listen address; 0 = any free port.</summary>
    public int? MetricsPort { get; init; }
    /// <summary>Failed authentications a peer address may make at once before RESOURCE_EXHAUSTED (issue 14).</summary>
    public int AuthFailureBurst { get; init; } = Identity.AuthFailureLimiter.BurstDefault;
    /// <summary>Failed authentications a peer address may make per second after its burst.</summary>
    public int AuthFailuresPerSecond { get; init; } = Identity.AuthFailureLimiter.FailuresPerSecondDefault;
    /// <summary>The refill period of <see cref="AuthFailuresPerSecond"/> (tests lengthen it; not a command-line option).</summary>
    public TimeSpan AuthFailureRefillPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bank statement quotas and break retention (--statement-* options).</summary>
    public Fund.StatementLimits Statements { get; init; } = new();
    /// <summary>"production" (default: the real date) or "sandbox" (a business date an administrator moves forward).</summary>
    public string Environment { get; init; } = ProductionEnvironment;
    /// <summary>A sandbox's first business date (default: the real date at start-up).</summary>
    public DateOnly? BusinessDate { get; init; }

    public const string ProductionEnvironment = "production";
    public const string SandboxEnvironment = "sandbox";

    public bool Sandbox => Environment == SandboxEnvironment;

    public const string Usage = """
        danbao-server [options]
          --listen ADDR        address to listen on (default 127.0.0.1)
          --port N             gRPC port (default 50051)
          --interop            also serve grpc.testing.TestService
          --migrate            apply pending migrations at start-up
          --demo-keys FILE     create demo institutions and API keys; write their secrets to FILE
          --tls-cert FILE      serve TLS (ALPN h2) with this PEM certificate ...
          --tls-key FILE       ... and this PEM private key
          --client-ca FILE     require client certificates issued by this CA (mTLS)
          --pii-key-file FILE  key protecting ID numbers when DANBAO_PII_KEY is unset (created if absent)
          --max-message-bytes N  largest message accepted or sent (default 4194304)
          --metrics-port N     serve GET /metrics (Prometheus text over HTTP/1.1) on this port (default: off)
          --log-ok-calls N     log one OK call in N (default 100; 1 = every call, 0 = none); other calls are always logged
          --statement-uploads-per-day N       bank statements one bank may upload per CST day (default 4)
          --statement-lines-per-day N         statement lines one bank may upload per CST day (default 4000000)
          --statement-breaks-retention-days N days a statement's breaks are kept (default 90)
          --auth-failure-burst N     failed authentications a peer address may make at once (default 50)
          --auth-failures-per-second N  ... and per second after that (default 10); then RESOURCE_EXHAUSTED
          --environment E      production (default: the real date) or sandbox (./run.sh: a business date
                               that AdminService.AdvanceBusinessDate moves forward)
          --business-date D    a sandbox's first business date YYYY-MM-DD (default today, CST); needs --environment sandbox
        environment: DANBAO_DB (connection string, required), DANBAO_PII_KEY, DANBAO_LOG_FORMAT=json,
                     DANBAO_LOG_OK_CALLS, DANBAO_ENVIRONMENT, DANBAO_BUSINESS_DATE,
                     OTEL_EXPORTER_OTLP_ENDPOINT (push metrics and traces over OTLP; the other OTEL_* variables apply)
        """;

    public static ServerSettings Parse(string[] args, Func<string, string?> env)
    {
        var s = new ServerSettings
        {
            ConnectionString = env("DANBAO_DB") ?? "",
            JsonLogs = string.Equals(env("DANBAO_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase),
            Environment = env("DANBAO_ENVIRONMENT") is { Length: > 0 } environment ? environment : ProductionEnvironment,
            BusinessDate = env("DANBAO_BUSINESS_DATE") is { Length: > 0 } date ? ParseDate(date, "DANBAO_BUSINESS_DATE") : null,
            LogOkCallsEvery = env("DANBAO_LOG_OK_CALLS") is { Length: > 0 } every ? ParseCount(every, "DANBAO_LOG_OK_CALLS") : LogOkCallsEveryDefault,
            OtlpEndpoint = env("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlp ? otlp : null,
        };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            s = args[i] switch
            {
                "--listen" => s with { Listen = IPAddress.Parse(Value()) },
                "--port" => s with { Port = ParsePort(Value()) },
                "--interop" => s with { Interop = true },
                "--migrate" => s with { Migrate = true },
                "--demo-keys" => s with { DemoKeysFile = Value() },
                "--tls-cert" => s with { TlsCertificateFile = Value() },
                "--tls-key" => s with { TlsKeyFile = Value() },
                "--client-ca" => s with { ClientCaFile = Value() },
                "--pii-key-file" => s with { PiiKeyFile = Value() },
                "--max-message-bytes" => s with { MaxMessageBytes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--metrics-port" => s with { MetricsPort = ParsePort(Value()) },
                "--log-ok-calls" => s with { LogOkCallsEvery = ParseCount(Value(), "--log-ok-calls") },
                "--statement-uploads-per-day" => s with { Statements = s.Statements with { UploadsPerBankPerDayMax = Fund.StatementLimits.Parse(args[i], Value()) } },
                "--statement-lines-per-day" => s with { Statements = s.Statements with { LinesPerBankPerDayMax = Fund.StatementLimits.Parse(args[i], Value()) } },
                "--statement-breaks-retention-days" => s with { Statements = s.Statements with { BreaksRetentionDays = Fund.StatementLimits.Parse(args[i], Value()) } },
                "--auth-failure-burst" => s with { AuthFailureBurst = ParsePositive(Value()) },
                "--auth-failures-per-second" => s with { AuthFailuresPerSecond = ParsePositive(Value()) },
                "--environment" => s with { Environment = Value() },
                "--business-date" => s with { BusinessDate = ParseDate(Value(), "--business-date") },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (string.IsNullOrWhiteSpace(s.ConnectionString))
        {
            throw new ArgumentException("DANBAO_DB is not set: give the PostgreSQL connection string (./run.sh does this for you)");
        }
        if (s.Environment is not (ProductionEnvironment or SandboxEnvironment))
        {
            throw new ArgumentException($"--environment '{s.Environment}': production or sandbox");
        }
        if (s.BusinessDate is { } fixedDate && !s.Sandbox)
        {
            // A production server runs on the real date: a fixed one would back-date or pre-date real decisions.
            throw new ArgumentException($"a fixed business date ({fixedDate:yyyy-MM-dd}) is for a sandbox only: add --environment sandbox (./run.sh does)");
        }
        if ((s.TlsCertificateFile is null) != (s.TlsKeyFile is null))
        {
            throw new ArgumentException("--tls-cert and --tls-key go together");
        }
        if (s.ClientCaFile is not null && s.TlsCertificateFile is null)
        {
            throw new ArgumentException("--client-ca needs --tls-cert and --tls-key");
        }
        return s;
    }

    private static int ParsePositive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{text}' is not a positive number");
    private static int ParseCount(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{option} '{text}' is not a whole number (0 or more)");
    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 2100
            ? date
            : throw new ArgumentException($"{option} '{text}' is not a date YYYY-MM-DD");

    /// <summary>The clock the server runs on: the real one, or in a sandbox a business date on top of it.</summary>
    public TimeProvider Clock(TimeProvider real) =>
        Sandbox ? new BusinessDateClock(real, BusinessDate ?? Danbao.Domain.Time.ChinaStandardTime.BusinessDate(real.GetUtcNow())) : real;

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ArgumentException($"'{text}' is not a port number");
}
