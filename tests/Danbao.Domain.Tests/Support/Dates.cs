using System.Globalization;

namespace Danbao.Domain.Tests;

public static class Dates
{
    public static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateRange Range(string start, string end) => new(D(start), D(end));

    public static Money Yuan(string text) => Money.Parse(text);
}
