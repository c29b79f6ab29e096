using System.Globalization;

namespace Danbao.Domain.Figures;

/// <summary>
/// An amount of renminbi in fen (分, 1/100 yuan). Arithmetic is checked: overflow throws
/// rather than wrapping, because a wrapped ledger amount is worse than a failed request.
/// </summary>
public readonly record struct Money(long Fen) : IComparable<Money>
{
    public static readonly Money Zero = new(0);

    public static Money FromFen(long fen) => new(fen);

    /// <summary>Exact yuan amount; refuses more than two decimals rather than rounding silently.</summary>
    public static Money FromYuan(decimal yuan)
    {
        var fen = yuan * 100m;
        if (fen != decimal.Truncate(fen))
            throw new ArgumentException($"{yuan} yuan is not a whole number of fen", nameof(yuan));
        if (fen > long.MaxValue || fen < long.MinValue)
            throw new OverflowException($"{yuan} yuan does not fit in fen");
        return new Money((long)fen);
    }

    /// <summary>Whole yuan, e.g. 300_000 → 300,000.00. 万 (10,000 yuan) amounts: <c>FromYuan(30 * 10_000)</c>.</summary>
    public static Money FromWholeYuan(long yuan) => new(checked(yuan * 100));

    public decimal Yuan => Fen / 100m;

    public bool IsZero => Fen == 0;

    public bool IsNegative => Fen < 0;

    public bool IsPositive => Fen > 0;

    public static Money operator +(Money a, Money b) => new(checked(a.Fen + b.Fen));

    public static Money operator -(Money a, Money b) => new(checked(a.Fen - b.Fen));

    public static Money operator -(Money a) => new(checked(-a.Fen));

    public static Money operator *(Money a, long factor) => new(checked(a.Fen * factor));

    public static Money operator *(long factor, Money a) => a * factor;

    public static bool operator <(Money a, Money b) => a.Fen < b.Fen;

    public static bool operator >(Money a, Money b) => a.Fen > b.Fen;

    public static bool operator <=(Money a, Money b) => a.Fen <= b.Fen;

    public static bool operator >=(Money a, Money b) => a.Fen >= b.Fen;

    public int CompareTo(Money other) => Fen.CompareTo(other.Fen);

    public static Money Min(Money a, Money b) => a <= b ? a : b;

    public static Money Max(Money a, Money b) => a >= b ? a : b;

    public static Money Sum(IEnumerable<Money> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var total = Zero;
        foreach (var amount in amounts)
            total += amount;
        return total;
    }

    /// <summary>
    /// The sum, or AMOUNT_OVERFLOW when it (or a running subtotal) does not fit in 64-bit fen:
    /// for sums of amounts from a request or an upload, where overflow is the caller's input, not a bug.
    /// </summary>
    public static Result<Money> TrySum(IEnumerable<Money> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var total = 0L;
        foreach (var amount in amounts)
        {
            var next = unchecked(total + amount.Fen);
            // Overflow happened when both operands share a sign and the result's sign differs.
            if (((total ^ next) & (amount.Fen ^ next)) < 0)
                return new Refusal(ReasonCodes.AmountOverflow, "the amounts add up to more than the largest amount a ledger can hold");
            total = next;
        }
        return new Money(total);
    }

    /// <summary>Yuan with thousands separators and two decimals: "1,788.89", "-0.05".</summary>
    public override string ToString()
    {
        var sign = Fen < 0 ? "-" : "";
        var abs = Fen < 0 ? -(decimal)Fen : Fen;
        return sign + (abs / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>Plain yuan text without separators, e.g. "100000.00": the form stored in policy tables.</summary>
    public string ToPlainString() => Yuan.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses yuan text: optional '-', digits with optional comma thousands separators, at most
    /// two decimals ("1,788.89", "100000", "0.5"). Anything else is refused, never rounded.
    /// </summary>
    public static bool TryParse(string? text, out Money money)
    {
        money = Zero;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative)
            s = s[1..];
        var dot = s.IndexOf('.');
        var whole = dot < 0 ? s : s[..dot];
        var frac = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || frac.Length > 2 || (dot >= 0 && frac.Length == 0))
            return false;
        if (!frac.All(char.IsAsciiDigit) || !IsWholePart(whole))
            return false;
        var digits = whole.Replace(",", "") + frac.PadRight(2, '0');
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var fen))
            return false;
        money = new Money(negative ? -fen : fen);
        return true;
    }

    public static Money Parse(string text) =>
        TryParse(text, out var money) ? money : throw new FormatException($"'{text}' is not a yuan amount");

    private static bool IsWholePart(string whole)
    {
        if (!whole.Contains(','))
            return whole.All(char.IsAsciiDigit);
        var groups = whole.Split(',');
        if (groups[0].Length is < 1 or > 3 || !groups[0].All(char.IsAsciiDigit))
            return false;
        return groups.Skip(1).All(g => g.Length == 3 && g.All(char.IsAsciiDigit));
    }
}
