using System.Security.Cryptography;
using System.Text;

namespace Danbao.Data.Migrations;

/// <summary>One forward-only SQL migration file: its name (file name), SQL text and checksum.</summary>
public sealed record Migration(string Name, string Sql, string ChecksumSha256)
{
    /// <summary>Reads a migration; the checksum ignores CRLF vs LF so a checkout setting cannot fake an edit.</summary>
    public static Migration Load(string path)
    {
        var sql = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new Migration(Path.GetFileName(path), sql, checksum);
    }

    /// <summary>All <c>*.sql</c> files in a directory, in ordinal (lexical) order of their names.</summary>
    public static IReadOnlyList<Migration> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Migrations directory not found: {directory}");
        }
        return Directory.GetFiles(directory, "*.sql")
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(Load)
            .ToList();
    }
}
