using System.Globalization;
using Danbao.Domain;
using Danbao.Domain.Borrowers;
namespace Danbao.Server.Tests.Support;

/// <summary>Valid 18-digit resident ID numbers for made-up people (Guangzhou Tianhe area code).</summary>
public static class TestIdNumbers
{
    private static int _sequence;

    /// <summary>The area code a person of this residency's document starts with (810000 Hong Kong, 820000 Macau, 830000 Taiwan).</summary>
    public static string AreaOf(Contracts.V1.Residency residency) => residency switch
    {
        Contracts.V1.Residency.HongKong => "810000",
        Contracts.V1.Residency.Macau => "820000",
        Contracts.V1.Residency.Taiwan => "830000",
        _ => "440106",
    };

    public static string Make(DateOnly birthDate, bool male, string area = "440106")
    {
        var seq = Interlocked.Increment(ref _sequence) % 50;
        // The 17th digit is odd for men, even for women.
        var order = (seq * 20 + (male ? 1 : 2)).ToString("000", CultureInfo.InvariantCulture);
        var first17 = area + birthDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + order;
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }
}
