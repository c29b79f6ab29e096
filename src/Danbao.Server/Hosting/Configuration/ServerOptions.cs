namespace Danbao.Server.Hosting.Configuration;

/// <summary>How the server listens and starts up (section "Server").</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>--listen: the address of the gRPC port and the metrics port.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>--port: the gRPC port.</summary>
    public int Port { get; set; } = 50051;

    /// <summary>--interop: also serve grpc.testing.TestService.</summary>
    public bool Interop { get; set; }

    /// <summary>--migrate: apply pending migrations at start-up.</summary>
    public bool Migrate { get; set; }

    /// <summary>--demo-keys: create the demo institutions and write their keys to this file (local use).</summary>
    public string? DemoKeys { get; set; }

    /// <summary>--pii-key-file: the ID-number key's file when DANBAO_PII_KEY is unset.</summary>
    public string? PiiKeyFile { get; set; }

    /// <summary>--metrics-port: GET /metrics, /livez and /healthz over HTTP/1.1 (off when null).</summary>
    public int? MetricsPort { get; set; }

    /// <summary>--log-ok-calls: log one OK call in N (1 = every call, 0 = none); other calls are always logged.</summary>
    public int LogOkCalls { get; set; } = ServerSettings.LogOkCallsEveryDefault;

    /// <summary>DANBAO_LOG_FORMAT: "json" for JSON console logs; anything else is text.</summary>
    public string? LogFormat { get; set; }
}
