using System.Net;
using Danbao.Server.Hosting;

namespace Danbao.Server.Tests.Hosting;

/// <summary>
/// The server's settings come from the environment and the command line through
/// Microsoft.Extensions.Configuration: the documented switches and variables, the command line over
/// the environment, and every bad value named by the option that carried it.
/// </summary>
public sealed class ServerConfigurationTests
{
    private static ServerSettings Parse(string[] args, params (string Name, string Value)[] env)
    {
        var variables = env.ToDictionary(e => e.Name, e => e.Value);
        variables.TryAdd("DANBAO_DB", "Host=x");
        return ServerSettings.Parse(args, name => variables.GetValueOrDefault(name));
    }

    private static string Refusal(string[] args, params (string Name, string Value)[] env) =>
        Assert.Throws<ArgumentException>(() => Parse(args, env)).Message;

    [Fact]
    public void Run_sh_and_the_image_command_lines_set_what_they_say()
    {
        var local = Parse(["--port", "50061", "--migrate", "--demo-keys", "/tmp/keys.txt", "--environment", "sandbox", "--interop", "--business-date", "2025-06-02"]);
        Assert.Equal((50061, true, "/tmp/keys.txt", true, true, new DateOnly(2025, 6, 2)),
            (local.Port, local.Migrate, local.DemoKeysFile, local.Sandbox, local.Interop, local.BusinessDate));
        var image = Parse(["--listen", "0.0.0.0", "--port", "50051", "--metrics-port", "9464", "--migrate"]);
        Assert.Equal((IPAddress.Any, 50051, 9464, true), (image.Listen, image.Port, image.MetricsPort, image.Migrate));
        var tls = Parse(["--tls-cert", "a.crt", "--tls-key", "a.key", "--client-ca", "ca.crt", "--max-message-bytes", "1024", "--auth-failure-burst", "7", "--auth-failures-per-second", "3"]);
        Assert.Equal(("a.crt", "a.key", "ca.crt", 1024, 7, 3),
            (tls.TlsCertificateFile, tls.TlsKeyFile, tls.ClientCaFile, tls.MaxMessageBytes, tls.AuthFailureBurst, tls.AuthFailuresPerSecond));
    }

    [Fact]
    public void Nothing_given_means_the_documented_defaults()
    {
        var settings = Parse([]);
        Assert.Equal((IPAddress.Loopback, 50051, false, false, (int?)null, 4 * 1024 * 1024, ServerSettings.ProductionEnvironment, false),
            (settings.Listen, settings.Port, settings.Migrate, settings.Interop, settings.MetricsPort, settings.MaxMessageBytes, settings.Environment, settings.JsonLogs));
        Assert.Equal("Host=x", settings.ConnectionString);
        Assert.True(Parse([], ("DANBAO_LOG_FORMAT", "JSON")).JsonLogs);
    }

    [Fact]
    public void A_flag_alone_does_not_swallow_the_next_option()
    {
        var settings = Parse(["--migrate", "--port", "6000", "--interop"]);
        Assert.Equal((true, 6000, true), (settings.Migrate, settings.Port, settings.Interop));
        Assert.False(Parse(["--migrate=false"]).Migrate);
    }

    [Fact]
    public void The_command_line_wins_over_the_environment()
    {
        (string, string)[] env = [("DANBAO_BUSINESS_DATE", "2025-06-02"), ("DANBAO_ENVIRONMENT", "sandbox"), ("DANBAO_PORT", "6000")];
        var fromEnvironment = Parse([], env);
        Assert.Equal((new DateOnly(2025, 6, 2), true, 6000), (fromEnvironment.BusinessDate, fromEnvironment.Sandbox, fromEnvironment.Port));
        var overridden = Parse(["--business-date", "2025-07-01", "--port", "7000"], env);
        Assert.Equal((new DateOnly(2025, 7, 1), true, 7000), (overridden.BusinessDate, overridden.Sandbox, overridden.Port));
        Assert.True(Parse([], ("DANBAO_MIGRATE", "true")).Migrate);
    }

    [Fact]
    public void A_bad_value_is_refused_naming_the_option_that_carried_it()
    {
        Assert.Equal("--port must be a port number from 1 to 65535, not '70000'", Refusal(["--port", "70000"]));
        Assert.Equal("DANBAO_PORT must be a port number from 1 to 65535, not 'http'", Refusal([], ("DANBAO_PORT", "http")));
        Assert.Equal("--business-date '2025-13-01' is not a date YYYY-MM-DD", Refusal(["--environment", "sandbox", "--business-date", "2025-13-01"]));
        Assert.Equal("DANBAO_BUSINESS_DATE '02/06/2025' is not a date YYYY-MM-DD", Refusal([], ("DANBAO_BUSINESS_DATE", "02/06/2025")));
        Assert.Equal("--listen 'localhost' is not an IP address", Refusal(["--listen", "localhost"]));
        Assert.Equal("--max-message-bytes must be a whole number from 1 to 2147483647, not '-1'", Refusal(["--max-message-bytes", "-1"]));
        Assert.Equal("DANBAO_ENVIRONMENT 'staging': production or sandbox", Refusal([], ("DANBAO_ENVIRONMENT", "staging")));
        Assert.Equal("--environment 'staging': production or sandbox", Refusal(["--environment", "staging"], ("DANBAO_ENVIRONMENT", "sandbox")));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_one_line_each()
    {
        Assert.Equal("--port must be a port number from 1 to 65535, not 'x'\n--auth-failure-burst must be a whole number from 1 to 2147483647, not '0'",
            Refusal(["--auth-failure-burst", "0", "--port", "x"]));
        Assert.Equal("--tls-cert and --tls-key go together\n--environment 'test': production or sandbox",
            Refusal(["--tls-cert", "a.crt", "--environment", "test"]));
    }

    [Fact]
    public void Usage_errors_are_as_before()
    {
        Assert.Equal("unknown option --prot", Refusal(["--prot", "1"]));
        Assert.Equal("unknown option 50051", Refusal(["50051"]));
        Assert.Equal("--port needs a value", Refusal(["--port"]));
        Assert.Equal("--client-ca needs --tls-cert and --tls-key", Refusal(["--client-ca", "ca.crt"]));
        var noDatabase = Assert.Throws<ArgumentException>(() => ServerSettings.Parse([], _ => null));
        Assert.StartsWith("DANBAO_DB is not set", noDatabase.Message);
    }
}
