using System.Globalization;

namespace Danbao.Domain.Borrowers;

/// <summary>
/// A Chinese resident identity number (公民身份号码, GB 11643): 6-digit area code, 8-digit birth
/// date, 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character (0–9 or X).
/// Holds the number; <see cref="ToString"/> and <see cref="Masked"/> never print it whole.
/// </summary>
public readonly record struct ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    private ResidentIdNumber(string value, DateOnly birthDate)
    {
        Value = value;
        BirthDate = birthDate;
    }

    /// <summary>The full 18 characters (upper-case X). Handle as personal data.</summary>
    public string Value { get; }

    public DateOnly BirthDate { get; }

    public Gender Gender => (Value[16] - '0') % 2 == 1 ? Gender.Male : Gender.Female;

    /// <summary>The 6-digit administrative area code of registration.</summary>
    public string AreaCode => Value[..6];

    /// <summary>First 4 and last 4 characters visible: "4401**********123X".</summary>
    public string Masked => Value[..4] + new string('*', 10) + Value[14..];

    public static bool TryParse(string? text, out ResidentIdNumber id, out string? error)
    {
        id = default;
        error = Validate(text?.Trim().ToUpperInvariant(), out var value, out var birth);
        if (error is null)
            id = new ResidentIdNumber(value!, birth);
        return error is null;
    }

    public static ResidentIdNumber Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    /// <summary>The check character for the first 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
            sum += (first17[i] - '0') * Weights[i];
        return CheckCharacters[sum % 11];
    }

    /// <summary>
    /// Refuses BIRTH_DATE_AFTER_APPLICATION (Details "field" = <paramref name="field"/>) when the
    /// number's birth date is after the application date: a well-formed number of someone not yet born.
    /// </summary>
    public Result<ResidentIdNumber> CheckBornBy(DateOnly applicationDate, string field)
    {
        if (BirthDate <= applicationDate)
            return this;
        return new Refusal(ReasonCodes.BirthDateAfterApplication,
            $"{field}: the birth date in the resident ID number ({BirthDate:yyyy-MM-dd}) is after the application date ({applicationDate:yyyy-MM-dd})")
        {
            Details = new Dictionary<string, string> { ["field"] = field },
        };
    }

    public override string ToString() => Value is null ? "" : Masked;

    private static string? Validate(string? s, out string? value, out DateOnly birth)
    {
        value = s;
        birth = default;
        if (s is null || s.Length != 18)
            return "a resident ID number has 18 characters";
        if (s.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9'))
            return "the first 17 characters of a resident ID number are digits";
        if (!DateOnly.TryParseExact(s.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birth))
            return "the resident ID number does not hold a valid birth date";
        if (birth.Year < 1900)
            return "the resident ID number's birth date is before 1900";
        if (CheckCharacter(s.AsSpan(0, 17)) != s[17])
            return "the resident ID number's check character is wrong";
        return null;
    }
}
