using System.Security.Cryptography;
using System.Text;

namespace Danbao.Data.Identity;

/// <summary>
/// An API key as the caller holds it: "dbk_{keyId}_{secret}". The key id finds the row; only the
/// SHA-256 of the whole token is stored, so a database leak reveals no usable key. Shared by the
/// server (authentication, IdentityService) and the CLI (`danbao keys create --bootstrap`).
/// </summary>
public readonly record struct ApiKeySecret(string KeyId, string Token)
{
    private const string Prefix = "dbk_";
    private const int KeyIdLength = 12;
    private const int TokenLengthMax = 128;
    private const string KeyIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static ApiKeySecret Generate()
    {
        var keyId = RandomNumberGenerator.GetString(KeyIdAlphabet, KeyIdLength);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new ApiKeySecret(keyId, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>Parses "Bearer dbk_…" or a bare "dbk_…"; null when it is not of our form.</summary>
    public static ApiKeySecret? TryParse(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization) || authorization.Length > TokenLengthMax + 7)
        {
            return null;
        }
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim()
            : authorization.Trim();
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + KeyIdLength + 2)
        {
            return null;
        }
        var keyId = token.Substring(Prefix.Length, KeyIdLength);
        if (token[Prefix.Length + KeyIdLength] != '_' || keyId.Any(c => !KeyIdAlphabet.Contains(c)))
        {
            return null;
        }
        return new ApiKeySecret(keyId, token);
    }

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
