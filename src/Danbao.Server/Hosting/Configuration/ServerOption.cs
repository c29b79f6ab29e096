using System.Globalization;
using System.Net;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>What an option's text must look like; checked before binding, so a bad value is named by its option.</summary>
public enum OptionKind
{
    /// <summary>A switch without a value (<c>--migrate</c>); <c>true</c>/<c>false</c> when given a value.</summary>
    Flag,
    Text,
    Address,
    Port,
    /// <summary>A whole number from 1 to int.MaxValue, digits only.</summary>
    Positive,
    /// <summary>A business date YYYY-MM-DD from 2000 to 2100.</summary>
    Date,
    /// <summary>A whole number from 0 to int.MaxValue, digits only.</summary>
    Count,
}

/// <summary>
/// One setting of the server: its configuration key (section:property of an options class), its
/// command-line switch and its environment variable. An option given both ways takes the command line's value.
/// </summary>
public sealed record ServerOption(string Key, string? Switch, string Variable, OptionKind Kind)
{
    /// <summary>An option with a switch; its variable is DANBAO_ and the switch in capitals (--metrics-port: DANBAO_METRICS_PORT).</summary>
    public static ServerOption For(string key, string @switch, OptionKind kind) =>
        new(key, @switch, "DANBAO_" + @switch[2..].ToUpperInvariant().Replace('-', '_'), kind);

    /// <summary>Every option the server reads. The README and docs/operations.md list each one.</summary>
    public static readonly IReadOnlyList<ServerOption> All =
    [
        new(DatabaseConnectionOptions.Section + ":" + nameof(DatabaseConnectionOptions.ConnectionString), null, Danbao.Data.DatabaseOptions.ConnectionStringVariable, OptionKind.Text),
        new(ServerOptions.Section + ":" + nameof(ServerOptions.LogFormat), null, "DANBAO_LOG_FORMAT", OptionKind.Text),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.Listen), "--listen", OptionKind.Address),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.Port), "--port", OptionKind.Port),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.Interop), "--interop", OptionKind.Flag),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.Migrate), "--migrate", OptionKind.Flag),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.DemoKeys), "--demo-keys", OptionKind.Text),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.PiiKeyFile), "--pii-key-file", OptionKind.Text),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.MetricsPort), "--metrics-port", OptionKind.Port),
        For(ServerOptions.Section + ":" + nameof(ServerOptions.LogOkCalls), "--log-ok-calls", OptionKind.Count),
        For(TlsOptions.Section + ":" + nameof(TlsOptions.CertificateFile), "--tls-cert", OptionKind.Text),
        For(TlsOptions.Section + ":" + nameof(TlsOptions.KeyFile), "--tls-key", OptionKind.Text),
        For(TlsOptions.Section + ":" + nameof(TlsOptions.ClientCaFile), "--client-ca", OptionKind.Text),
        For(SandboxOptions.Section + ":" + nameof(SandboxOptions.Environment), "--environment", OptionKind.Text),
        For(SandboxOptions.Section + ":" + nameof(SandboxOptions.BusinessDate), "--business-date", OptionKind.Date),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.MaxMessageBytes), "--max-message-bytes", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.CompressMinBytes), "--compress-min-bytes", OptionKind.Count),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.LoanCacheEntries), "--loan-cache-entries", OptionKind.Count),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.WriteGroupLanes), "--write-group-lanes", OptionKind.Count),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.LoanVersionLanes), "--loan-version-lanes", OptionKind.Count),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.StatementUploadsPerDay), "--statement-uploads-per-day", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.StatementLinesPerDay), "--statement-lines-per-day", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.StatementBreaksRetentionDays), "--statement-breaks-retention-days", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.SubsidyStreamLinesMax), "--subsidy-stream-lines-max", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.AuthFailureBurst), "--auth-failure-burst", OptionKind.Positive),
        For(LimitsOptions.Section + ":" + nameof(LimitsOptions.AuthFailuresPerSecond), "--auth-failures-per-second", OptionKind.Positive),
    ];

    /// <summary>Null when <paramref name="text"/> suits the option; otherwise why not, naming it as <paramref name="name"/>.</summary>
    public string? Check(string name, string text) => Kind switch
    {
        OptionKind.Flag => bool.TryParse(text, out _) ? null : $"{name} takes true or false, not '{text}'",
        OptionKind.Address => IPAddress.TryParse(text, out _) ? null : $"{name} '{text}' is not an IP address",
        OptionKind.Port => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? null
            : $"{name} must be a port number from 1 to 65535, not '{text}'",
        OptionKind.Positive => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? null
            : $"{name} must be a whole number from 1 to {int.MaxValue}, not '{text}'",
        OptionKind.Count => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? null
            : $"{name} must be a whole number from 0 to {int.MaxValue}, not '{text}'",
        OptionKind.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 2100
            ? null
            : $"{name} '{text}' is not a date YYYY-MM-DD",
        _ => null,
    };
}
