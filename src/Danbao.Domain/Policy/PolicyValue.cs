using System.Globalization;

namespace Danbao.Domain.Policy;

/// <summary>
/// A typed policy value. Its text form is what <c>policy_versions.value</c> stores; the one
/// function that reads it is <see cref="Parse"/>, and <see cref="ToText"/> writes it back.
/// </summary>
public readonly record struct PolicyValue
{
    private PolicyValue(PolicyValueKind kind, string text, long fen, decimal number, bool flag)
    {
        Kind = kind;
        Text = text;
        _fen = fen;
        _number = number;
        _flag = flag;
    }

    private readonly long _fen;
    private readonly decimal _number;
    private readonly bool _flag;

    public PolicyValueKind Kind { get; }

    /// <summary>Canonical text form (what the SQL seed holds).</summary>
    public string Text { get; }

    public static PolicyValue OfMoney(Money amount) => new(PolicyValueKind.Money, amount.ToPlainString(), amount.Fen, 0, false);

    public static PolicyValue OfBp(decimal bp) =>
        new(PolicyValueKind.BasisPoints, bp.ToString("0.############", CultureInfo.InvariantCulture), 0, bp, false);

    public static PolicyValue OfInt(int value) =>
        new(PolicyValueKind.Int, value.ToString(CultureInfo.InvariantCulture), 0, value, false);

    public static PolicyValue OfBool(bool value) => new(PolicyValueKind.Bool, value ? "true" : "false", 0, 0, value);

    public static PolicyValue OfEnum(string value)
    {
        if (string.IsNullOrEmpty(value) || !value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new FormatException($"'{value}' is not an UPPER_SNAKE_CASE enum value");
        return new(PolicyValueKind.Enum, value, 0, 0, false);
    }

    /// <summary>
    /// Parses the stored text of a value of the given kind. Money: yuan "100000.00";
    /// BasisPoints: "50" or "172.5"; Int: "36"; Bool: "true"/"false"; Enum: "CALENDAR_DAYS".
    /// Throws <see cref="FormatException"/> on anything else.
    /// </summary>
    public static PolicyValue Parse(PolicyValueKind kind, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (kind)
        {
            case PolicyValueKind.Money:
                if (text.Contains(','))
                    throw new FormatException($"money policy value '{text}' must not contain separators");
                return OfMoney(Money.Parse(text));
            case PolicyValueKind.BasisPoints:
                if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bp))
                    throw new FormatException($"'{text}' is not a basis-point value");
                return OfBp(bp);
            case PolicyValueKind.Int:
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
                    throw new FormatException($"'{text}' is not a non-negative whole number");
                return OfInt(i);
            case PolicyValueKind.Bool:
                return text switch
                {
                    "true" => OfBool(true),
                    "false" => OfBool(false),
                    _ => throw new FormatException($"'{text}' is not 'true' or 'false'"),
                };
            case PolicyValueKind.Enum:
                return OfEnum(text);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown value kind");
        }
    }

    public string ToText() => Text;

    public Money AsMoney => Kind == PolicyValueKind.Money ? new Money(_fen) : throw WrongKind(PolicyValueKind.Money);

    public decimal AsBp => Kind == PolicyValueKind.BasisPoints ? _number : throw WrongKind(PolicyValueKind.BasisPoints);

    /// <summary>Basis points as an annual rate (spreads).</summary>
    public Rate AsRate => new(AsBp);

    /// <summary>Basis points as a whole-bp ratio (shares, multipliers).</summary>
    public Ratio AsRatio => AsBp == decimal.Truncate(AsBp) ? new Ratio((int)AsBp) : throw new FormatException($"{Text} bp is not whole");

    public int AsInt => Kind == PolicyValueKind.Int ? (int)_number : throw WrongKind(PolicyValueKind.Int);

    public bool AsBool => Kind == PolicyValueKind.Bool ? _flag : throw WrongKind(PolicyValueKind.Bool);

    public string AsEnum => Kind == PolicyValueKind.Enum ? Text : throw WrongKind(PolicyValueKind.Enum);

    public override string ToString() => $"{Text} ({Kind})";

    private InvalidOperationException WrongKind(PolicyValueKind wanted) => new($"policy value {Text} is {Kind}, not {wanted}");
}
