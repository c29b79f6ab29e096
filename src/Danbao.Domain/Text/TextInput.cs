using System.Globalization;
using System.Text;

namespace Danbao.Domain.Text;

/// <summary>
/// Checks free text from requests and uploads before it is stored, shown or exported (issue 14).
/// Refuses TEXT_INVALID with Details "field" (map to a BadRequest field violation) when the text
/// holds: a NUL or other control character (which also covers ANSI escape sequences, ESC U+001B and
/// CSI U+009B); a lone UTF-16 surrogate or U+FFFD (what invalid UTF-8 becomes when decoded); a
/// bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which makes text display
/// differently from what it says; or more than <c>lengthMax</c> characters (Unicode scalar values).
/// <see cref="CheckName"/> also refuses a name with nothing visible in it: only spaces, zero-width
/// or other format characters, combining marks, or blank-looking fillers (U+3164, U+2800 …).
/// </summary>
public static class TextInput
{
    /// <summary>Checks <paramref name="text"/> (null is treated as empty); returns it unchanged when fine.</summary>
    public static Result<string> Check(string field, string? text, int lengthMax, TextShape shape = TextShape.SingleLine)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentOutOfRangeException.ThrowIfNegative(lengthMax);
        var s = text ?? "";
        var scalars = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                scalars++;
                continue;
            }
            if (char.IsSurrogate(c))
                return Invalid(field, $"{field} is not valid text: a lone surrogate at position {i} (invalid UTF-8 or UTF-16)");
            if (c == '\uFFFD')
                return Invalid(field, $"{field} holds U+FFFD at position {i}: the text was not valid UTF-8");
            if (char.IsControl(c) && !(shape == TextShape.MultiLine && c is '\t' or '\n' or '\r'))
                return Invalid(field, $"{field} holds control character U+{(int)c:X4} at position {i}");
            if (IsBidiControl(c))
                return Invalid(field, $"{field} holds bidirectional control U+{(int)c:X4} at position {i}");
            scalars++;
        }
        if (scalars > lengthMax)
            return Invalid(field, $"{field} is {scalars} characters long; at most {lengthMax}");
        return s;
    }

    /// <summary>As <see cref="Check"/> for a single-line name, which must also be non-empty and have a visible character.</summary>
    public static Result<string> CheckName(string field, string? text, int lengthMax)
    {
        var checkedText = Check(field, text, lengthMax, TextShape.SingleLine);
        if (!checkedText.IsOk)
            return checkedText;
        if (!HasVisibleCharacter(checkedText.Value))
            return Invalid(field, $"{field} has no visible character (only spaces, zero-width or invisible characters)");
        return checkedText;
    }

    /// <summary>True when some character would print: not white space, a format character (zero-width), a combining mark or a blank filler.</summary>
    public static bool HasVisibleCharacter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || IsBlankFiller(rune.Value))
                continue;
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Surrogate)
                continue;
            return true;
        }
        return false;
    }

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    // Letters in Unicode's eyes that render as blank: Hangul fillers, Braille blank, Khmer inherent vowels.
    private static bool IsBlankFiller(int codePoint) => codePoint is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x17B4 or 0x17B5;

    private static Refusal Invalid(string field, string message) =>
        new(ReasonCodes.TextInvalid, message) { Details = new Dictionary<string, string> { ["field"] = field } };
}
