namespace Danbao.Domain.Tests;

public class TextInputTests
{
    [Theory]
    [InlineData("陈\0明")]
    [InlineData("\u001b[31m陈明\u001b[0m")] // ANSI colour escape
    [InlineData("陈\u009b31m明")] // C1 CSI
    [InlineData("陈明\u007f")]
    [InlineData("line\nbreak")]
    [InlineData("陈\uD800明")] // lone high surrogate
    [InlineData("陈\uDC00明")] // lone low surrogate
    [InlineData("陈明\uD83D")] // high surrogate at the end
    [InlineData("陈\uFFFD明")] // replacement character: invalid UTF-8 decoded
    [InlineData("abc\u202Egnp.exe")] // right-to-left override
    [InlineData("\u2066hidden\u2069")]
    public void Text_with_control_invalid_or_bidi_characters_is_refused_naming_the_field(string text)
    {
        var refusal = TextInput.Check("borrower.name", text, 100).Refusal!;
        Assert.Equal(ReasonCodes.TextInvalid, refusal.Code);
        Assert.Equal("borrower.name", refusal.Details["field"]);
        Assert.StartsWith("borrower.name", refusal.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u200B")] // zero-width space
    [InlineData("\u200B\u200C\u200D\uFEFF")] // ZWSP, ZWNJ, ZWJ, BOM
    [InlineData("\u00AD\u2060\u180E")] // soft hyphen, word joiner, Mongolian vowel separator
    [InlineData("\u3000\u3164")] // ideographic space, Hangul filler
    [InlineData("\u2800\u115F\uFFA0")] // Braille blank, Hangul fillers
    [InlineData("\u0301\u0308")] // combining marks alone
    public void A_name_with_nothing_visible_is_refused(string name)
    {
        var refusal = TextInput.CheckName("borrower.name", name, 100).Refusal!;
        Assert.Equal(ReasonCodes.TextInvalid, refusal.Code);
        Assert.Equal("borrower.name", refusal.Details["field"]);
    }

    [Theory]
    [InlineData("陈明")]
    [InlineData("O'Brien-Chan")]
    [InlineData("阿卜杜·热合曼")]
    [InlineData("\u200B陈明")]
    [InlineData("𠮷野家")] // outside the BMP: a valid surrogate pair
    public void Ordinary_names_pass_unchanged(string name) =>
        Assert.Equal(name, TextInput.CheckName("borrower.name", name, 100).Value);

    [Fact]
    public void Multi_line_text_may_hold_tabs_and_line_breaks_but_no_other_control_character()
    {
        Assert.True(TextInput.Check("reason", "first\r\nsecond\tthird", 100, TextShape.MultiLine).IsOk);
        Assert.Equal(ReasonCodes.TextInvalid, TextInput.Check("reason", "first\u001bsecond", 100, TextShape.MultiLine).Refusal!.Code);
    }

    [Fact]
    public void Length_is_counted_in_characters_not_utf16_units()
    {
        Assert.True(TextInput.Check("name", "𠮷𠮷", 2).IsOk);
        Assert.Equal(ReasonCodes.TextInvalid, TextInput.Check("name", "𠮷𠮷x", 2).Refusal!.Code);
    }
}
