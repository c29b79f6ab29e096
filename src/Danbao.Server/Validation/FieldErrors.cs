using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Danbao.Server.Errors;

namespace Danbao.Server.Validation;

/// <summary>
/// Collects every problem with a request before refusing it, so a bank's developer sees all
/// bad fields at once (google.rpc.BadRequest), not one per round trip.
/// </summary>
public sealed partial class FieldErrors
{
    private const int TextLengthMax = 500;
    private readonly List<(string Field, string Description)> _violations = [];

    public bool Any => _violations.Count > 0;

    public void Add(string field, string description) => _violations.Add((field, description));

    /// <summary>Throws INVALID_ARGUMENT listing every violation, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_violations.Count > 0)
        {
            var summary = _violations.Count == 1
                ? $"{_violations[0].Field}: {_violations[0].Description}"
                : $"{_violations.Count} fields are invalid: {string.Join(", ", _violations.Select(v => v.Field))}";
            throw RpcErrors.InvalidArgument(summary, _violations.ToArray());
        }
    }

    /// <summary>request_id: 1–64 characters of letters, digits, '-' and '_' (a UUID fits).</summary>
    public string RequestId(string field, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "required: a unique id per write (e.g. a UUID), reused only when retrying the same request");
        }
        else if (!RequestIdPattern().IsMatch(value))
        {
            Add(field, "must be 1–64 characters of letters, digits, '-' or '_'");
        }
        return value;
    }

    public DateOnly? Date(string field, string value, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                Add(field, "required: a date as YYYY-MM-DD (China Standard Time)");
            }
            return null;
        }
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || date.Year < 2000 || date.Year > 2100)
        {
            Add(field, $"'{Truncate(value)}' is not a date YYYY-MM-DD between 2000 and 2100");
            return null;
        }
        return date;
    }

    public string Text(string field, string value, bool required = true, int lengthMax = TextLengthMax)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "required");
            }
        }
        else if (value.Length > lengthMax)
        {
            Add(field, $"at most {lengthMax} characters");
        }
        else if (Danbao.Domain.Text.TextInput.Check(field, value, lengthMax, Danbao.Domain.Text.TextShape.MultiLine) is { IsOk: false } bad)
        {
            // NUL and other control characters (ANSI escapes), lone surrogates and U+FFFD (invalid
            // UTF-8), bidi overrides: refused at the edge, never stored (issue 14; NUL answered INTERNAL).
            Add(field, bad.Refusal.Message);
        }
        return value?.Trim() ?? "";
    }

    public long PositiveFen(string field, long value, long max = 100_000_000_00)
    {
        if (value <= 0)
        {
            Add(field, "must be a positive amount in fen (1 yuan = 100 fen)");
        }
        else if (value > max)
        {
            Add(field, $"must be at most {max} fen");
        }
        return value;
    }

    public int Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            Add(field, $"must be between {min} and {max}");
        }
        return value;
    }

    public T Enum<T>(string field, T value) where T : struct, System.Enum
    {
        if (Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0 || !System.Enum.IsDefined(value))
        {
            Add(field, $"required: one of {string.Join(", ", ProtoNames<T>().Skip(1))}");
        }
        return value;
    }

    /// <summary>
    /// Free text checked as the domain's <see cref="Danbao.Domain.Text.TextInput"/> does (issue 14): no NUL or
    /// other control character (ANSI escapes included), no lone surrogate or U+FFFD (invalid UTF-8),
    /// no bidi override, at most <paramref name="lengthMax"/> characters. Empty text passes (required-ness is <see cref="Text"/>'s).
    /// </summary>
    public string CheckedText(string field, string value, int lengthMax, Danbao.Domain.Text.TextShape shape = Danbao.Domain.Text.TextShape.SingleLine)
    {
        var result = Danbao.Domain.Text.TextInput.Check(field, value, lengthMax, shape);
        if (!result.IsOk)
        {
            Add(field, result.Refusal.Message);
        }
        return value ?? "";
    }

    /// <summary>A name: as <see cref="CheckedText"/>, and at least one visible character (not only spaces or zero-width characters).</summary>
    public string Name(string field, string value, int lengthMax = TextLengthMax)
    {
        if (_violations.Any(v => v.Field == field))
        {
            return value?.Trim() ?? "";
        }
        var result = Danbao.Domain.Text.TextInput.CheckName(field, value, lengthMax);
        if (!result.IsOk)
        {
            Add(field, result.Refusal.Message);
        }
        return value?.Trim() ?? "";
    }

    /// <summary>
    /// The sum of request amounts in fen, or a violation on <paramref name="field"/> when it would
    /// overflow a 64-bit fen total (issue 14: sums of int64-max amounts answered INTERNAL).
    /// </summary>
    public long SumFen(string field, IEnumerable<long> amountsFen)
    {
        var total = Danbao.Domain.Figures.Money.TrySum(amountsFen.Select(f => new Danbao.Domain.Figures.Money(f)));
        if (!total.IsOk)
        {
            Add(field, "the amounts add up to more than a 64-bit fen total; send fewer or smaller amounts");
            return 0;
        }
        return total.Value.Fen;
    }

    /// <summary>The names callers write (BULLET), not the C# ones (Bullet).</summary>
    private static IEnumerable<string> ProtoNames<T>() where T : struct, System.Enum =>
        typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? f.Name);

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex RequestIdPattern();
}
