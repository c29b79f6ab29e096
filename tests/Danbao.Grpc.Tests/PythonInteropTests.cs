using System.Text.RegularExpressions;
using Danbao.Grpc.Tests.Support;

namespace Danbao.Grpc.Tests;

/// <summary>tests/interop/interop_client.py (python3-grpcio, the C-core gRPC implementation) against the real DanbaoHost with --interop.</summary>
[Collection(SharedHostCollection.Name)]
public sealed partial class PythonInteropTests(SharedHost shared)
{
    [Fact]
    public async Task Python_grpcio_client_passes_every_interop_case_over_h2c()
    {
        var run = await PythonInterop.RunAsync(shared.Server.Port);
        PythonInterop.AssertPassed(run, PythonInterop.AllCases);
    }

    [Fact]
    public async Task Python_grpcio_client_passes_every_interop_case_over_mutual_tls()
    {
        using var certificates = new TestCertificates();
        await using var host = await TransportHost.StartAsync((settings, dir) =>
        {
            var (certificate, key, ca) = certificates.WriteServerPem(dir);
            return settings with { TlsCertificateFile = certificate, TlsKeyFile = key, ClientCaFile = ca };
        });
        var client = Directory.CreateTempSubdirectory("danbao-transport-python-").FullName;
        try
        {
            var (ca, certificate, key) = certificates.WriteClientPem(client);
            var run = await PythonInterop.RunAsync(host.Port, "--tls", "--ca", ca, "--cert", certificate, "--key", key);
            PythonInterop.AssertPassed(run, PythonInterop.AllCases);
        }
        finally
        {
            Directory.Delete(client, recursive: true);
        }
    }

    [Fact]
    public void The_list_of_cases_checked_is_the_interop_clients_own()
    {
        // A case added to interop_client.py without being added here would pass unnoticed.
        var script = File.ReadAllText(RepoPaths.InteropClient);
        var list = CasesList().Match(script);
        Assert.True(list.Success, "CASES = [...] not found in interop_client.py");
        var names = list.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names, PythonInterop.AllCases);
    }

    [GeneratedRegex(@"^CASES = \[(.*?)\]", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CasesList();
}
