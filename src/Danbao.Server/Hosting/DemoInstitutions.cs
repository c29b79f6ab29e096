using Danbao.Data;
using Danbao.Data.Identity;
using Danbao.Server.Identity;

namespace Danbao.Server.Hosting;

/// <summary>
/// The local setup's institutions: Guangzhou and Jiangmen each with a fund operator, an
/// employment service and a finance bureau, five partner banks, and an administrator. Each gets
/// one API key on first run; the secrets go to a local file (mode 600) because they are stored
/// nowhere else. Never used in production: only with --demo-keys.
/// </summary>
public static class DemoInstitutions
{
    public static readonly (string Id, string Name, string Role, string Region)[] All =
    [
        ("admin", "Danbao administrator", "ADMIN", "CN"),
        ("gz-fund", "广州市创业担保贷款担保基金 (operator)", "FUND_OPERATOR", "CN-GD-GZ"),
        ("gz-hrss", "广州市公共就业服务机构", "EMPLOYMENT_SERVICE", "CN-GD-GZ"),
        ("gz-finance", "广州市财政局", "FINANCE_BUREAU", "CN-GD-GZ"),
        ("jm-fund", "江门市创业担保贷款担保基金 (operator)", "FUND_OPERATOR", "CN-GD-JM"),
        ("jm-hrss", "江门市公共就业服务机构", "EMPLOYMENT_SERVICE", "CN-GD-JM"),
        ("jm-finance", "江门市财政局", "FINANCE_BUREAU", "CN-GD-JM"),
        ("icbc-gz", "工商银行广州分行", "BANK", "CN-GD-GZ"),
        ("ccb-gz", "建设银行广州分行", "BANK", "CN-GD-GZ"),
        ("boc-gz", "中国银行广州分行", "BANK", "CN-GD-GZ"),
        ("gzrcb", "广州农商银行", "BANK", "CN-GD-GZ"),
        ("jmrcb", "江门农商银行", "BANK", "CN-GD-JM"),
    ];

    /// <summary>Creates what is missing and returns institution → key secret (read back from the file when it exists).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnsureAsync(Database database, string keysFile, CancellationToken ct)
    {
        var keys = File.Exists(keysFile) ? Read(keysFile) : new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = All.Where(i => !keys.ContainsKey(i.Id)).ToList();
        if (missing.Count == 0)
        {
            return keys;
        }
        // Queued: the institutions and keys go to PostgreSQL as one batch, then COMMIT.
        await database.InSessionAsync(session =>
        {
            foreach (var (id, name, role, region) in All)
            {
                session.Identity.CreateInstitution(id, name, role, region);
            }
            foreach (var institution in missing)
            {
                var secret = ApiKeySecret.Generate();
                session.Identity.InsertApiKey(secret.KeyId, institution.Id, secret.Hash(), "demo key (run.sh)");
                keys[institution.Id] = secret.Token;
            }
            return Task.FromResult(0);
        }, ct);
        Write(keysFile, keys);
        return keys;
    }

    private static Dictionary<string, string> Read(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);

    private static void Write(string path, IReadOnlyDictionary<string, string> keys)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, All.Where(i => keys.ContainsKey(i.Id)).Select(i => $"{i.Id}={keys[i.Id]}"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
