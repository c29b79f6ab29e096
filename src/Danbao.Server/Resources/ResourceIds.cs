using System.Security.Cryptography;

namespace Danbao.Server.Resources;

/// <summary>
/// Ids of the resources the server creates: a letter for the kind, 10 characters of creation time and
/// 10 random, in Crockford base32. Sortable by creation, unguessable, short enough to read out over the phone.
/// </summary>
public static class ResourceIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string Loan(DateTimeOffset now) => New('L', now);

    /// <summary>A compensation claim's id (claims/…).</summary>
    public static string Claim(DateTimeOffset now) => New('C', now);

    /// <summary>A subsidy claim's id (subsidyClaims/…).</summary>
    public static string SubsidyClaim(DateTimeOffset now) => New('C', now);

    /// <summary>A bank statement's id (statements/…).</summary>
    public static string Statement(DateTimeOffset now) => New('S', now);

    private static string New(char kind, DateTimeOffset now)
    {
        Span<char> id = stackalloc char[21];
        id[0] = kind;
        var ms = now.ToUnixTimeMilliseconds();
        for (var i = 10; i >= 1; i--)
        {
            id[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 10; i++)
        {
            id[11 + i] = Alphabet[random[i] & 31];
        }
        return new string(id);
    }
}
