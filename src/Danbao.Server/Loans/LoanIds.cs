using System.Security.Cryptography;

namespace Danbao.Server.Loans;

/// <summary>
/// Loan ids: "L", 10 characters of creation time and 10 random, in Crockford base32. Sortable
/// by creation, unguessable, and short enough to read out over the phone.
/// </summary>
public static class LoanIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(DateTimeOffset now)
    {
        Span<char> id = stackalloc char[21];
        id[0] = 'L';
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
