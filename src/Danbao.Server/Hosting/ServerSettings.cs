using System.Net;

namespace Danbao.Server.Hosting;

/// <summary>
/// Everything the server is told: bound from the command line and the environment by
/// <see cref="Configuration.ServerConfiguration"/>, or built directly by tests. Each setting is listed in
/// docs/operations.md's configuration reference with its default.
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
    /// <summary>Unary replies smaller than this go uncompressed even when the caller accepts gzip.</summary>
    public int CompressMinBytes { get; init; } = Interceptors.SmallReplyCompression.MinBytesDefault;
    /// <summary>GetLoan replies kept in memory by loan version (0: none).</summary>
    public int LoanCacheEntries { get; init; } = Loans.LoanSnapshots.EntriesDefault;
    /// <summary>Serve GET /metrics (Prometheus text, HTTP/1.1) on this port of the listen address; 0 = any free port.</summary>
    public int? MetricsPort { get; init; }
    /// <summary>Transactions that group RecordRepayment calls at once (<see cref="Data.Sessions.GroupCommit"/>; 0: each call alone).</summary>
    public int WriteGroupLanes { get; init; } = Data.Sessions.GroupCommit.LanesDefault;
    /// <summary>Reads answering GetLoan's version checks together that run at once (<see cref="Data.Loans.LoanVersions"/>; 0: each call its own).</summary>
    public int LoanVersionLanes { get; init; } = Data.Loans.LoanVersions.LanesDefault;
    /// <summary>Failed authentications a peer address may make at once before RESOURCE_EXHAUSTED (issue 14).</summary>
    public int AuthFailureBurst { get; init; } = Identity.AuthFailureLimiter.BurstDefault;
    /// <summary>Failed authentications a peer address may make per second after its burst.</summary>
    public int AuthFailuresPerSecond { get; init; } = Identity.AuthFailureLimiter.FailuresPerSecondDefault;
    /// <summary>The refill period of <see cref="AuthFailuresPerSecond"/> (tests lengthen it; not a command-line option).</summary>
    public TimeSpan AuthFailureRefillPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bank statement quotas and break retention (--statement-* options).</summary>
    public Fund.StatementLimits Statements { get; init; } = new();
    /// <summary>Bounds on a streamed subsidy claim (--subsidy-stream-lines-max).</summary>
    public Subsidy.SubsidyStreamLimits SubsidyStreams { get; init; } = new();
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
          --compress-min-bytes N gzip unary replies only from N bytes (default 4096; 0 = every reply the caller accepts gzip for)
          --loan-cache-entries N GetLoan replies kept in memory, each checked against its loan's version (default 10000; 0 = off)
          --loan-version-lanes N reads answering those version checks together, at once (default 2; 0 = each call reads its own)
          --write-group-lanes N  transactions grouping RecordRepayment calls, at once (default 4; 0 = each call its own)
          --metrics-port N     serve GET /metrics (Prometheus text over HTTP/1.1) on this port (default: off)
          --log-ok-calls N     log one OK call in N (default 100; 1 = every call, 0 = none); other calls are always logged
          --statement-uploads-per-day N       bank statements one bank may upload per CST day (default 4)
          --statement-lines-per-day N         statement lines one bank may upload per CST day (default 4000000)
          --statement-breaks-retention-days N days a statement's breaks are kept (default 90)
          --subsidy-stream-lines-max N        lines one StreamSubsidyClaimLines call may carry (default 2000000)
          --auth-failure-burst N     failed authentications a peer address may make at once (default 50)
          --auth-failures-per-second N  ... and per second after that (default 10); then RESOURCE_EXHAUSTED
          --environment E      production (default: the real date) or sandbox (./run.sh: a business date
                               that AdminService.AdvanceBusinessDate moves forward)
          --business-date D    a sandbox's first business date YYYY-MM-DD (default today, CST); needs --environment sandbox
        A flag alone (--migrate) means true; --name=value works too.
        environment: DANBAO_DB (connection string, required), DANBAO_PII_KEY, DANBAO_LOG_FORMAT=json,
                     OTEL_EXPORTER_OTLP_ENDPOINT (push metrics and traces over OTLP; the other OTEL_* variables apply);
                     every option above as DANBAO_ and its name in capitals (--metrics-port: DANBAO_METRICS_PORT,
                     --business-date: DANBAO_BUSINESS_DATE, --migrate: DANBAO_MIGRATE=true). The command line wins.
        """;

    /// <summary>
    /// The settings from the command line over the environment (<see cref="Configuration.ServerConfiguration"/>);
    /// ArgumentException naming each bad option.
    /// </summary>
    public static ServerSettings Parse(string[] args, Func<string, string?> env) => Configuration.ServerConfiguration.Load(args, env);

    /// <summary>The host's settings from the bound and validated options.</summary>
    public static ServerSettings From(Configuration.ServerOptions server, Configuration.DatabaseConnectionOptions database,
        Configuration.TlsOptions tls, Configuration.SandboxOptions sandbox, Configuration.LimitsOptions limits) => new()
    {
        Listen = IPAddress.Parse(server.Listen),
        Port = server.Port,
        Interop = server.Interop,
        Migrate = server.Migrate,
        DemoKeysFile = server.DemoKeys,
        PiiKeyFile = server.PiiKeyFile,
        MetricsPort = server.MetricsPort,
        JsonLogs = string.Equals(server.LogFormat, "json", StringComparison.OrdinalIgnoreCase),
        LogOkCallsEvery = server.LogOkCalls,
        ConnectionString = database.ConnectionString,
        TlsCertificateFile = tls.CertificateFile,
        TlsKeyFile = tls.KeyFile,
        ClientCaFile = tls.ClientCaFile,
        Environment = sandbox.Environment,
        BusinessDate = sandbox.BusinessDate,
        MaxMessageBytes = limits.MaxMessageBytes,
        CompressMinBytes = limits.CompressMinBytes,
        LoanCacheEntries = limits.LoanCacheEntries,
        WriteGroupLanes = limits.WriteGroupLanes,
        LoanVersionLanes = limits.LoanVersionLanes,
        AuthFailureBurst = limits.AuthFailureBurst,
        AuthFailuresPerSecond = limits.AuthFailuresPerSecond,
        Statements = new Fund.StatementLimits
        {
            UploadsPerBankPerDayMax = limits.StatementUploadsPerDay,
            LinesPerBankPerDayMax = limits.StatementLinesPerDay,
            BreaksRetentionDays = limits.StatementBreaksRetentionDays,
        },
        SubsidyStreams = new Subsidy.SubsidyStreamLimits { LinesPerStreamMax = limits.SubsidyStreamLinesMax },
    };

    /// <summary>The clock the server runs on: the real one, or in a sandbox a business date on top of it.</summary>
    public TimeProvider Clock(TimeProvider real) =>
        Sandbox ? new BusinessDateClock(real, BusinessDate ?? Validation.BusinessDates.Today(real)) : real;
}
