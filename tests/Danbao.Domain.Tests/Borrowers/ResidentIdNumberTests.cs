using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class ResidentIdNumberTests
{
    // GB 11643's published example number (a man born 1949-12-31), and generated test numbers.
    private const string Example = "11010519491231002X";

    public static string Make(string area, string birth, string sequence)
    {
        var first17 = area + birth + sequence;
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }

    [Fact]
    public void The_check_character_is_iso_7064_mod_11_2()
    {
        Assert.Equal('X', ResidentIdNumber.CheckCharacter("11010519491231002"));
        Assert.True(ResidentIdNumber.TryParse(Example, out _, out _));
        Assert.False(ResidentIdNumber.TryParse("110105194912310021", out _, out var error));
        Assert.Contains("check character", error);
    }

    [Fact]
    public void Birth_date_and_gender_come_from_the_number()
    {
        var id = ResidentIdNumber.Parse(Example);
        Assert.Equal(D("1949-12-31"), id.BirthDate);
        Assert.Equal(Gender.Female, id.Gender); // sequence 002: even → female
        Assert.Equal(Gender.Male, ResidentIdNumber.Parse(Make("440106", "19900101", "123")).Gender);
    }

    [Fact]
    public void Masking_shows_only_the_first_and_last_four()
    {
        var id = ResidentIdNumber.Parse(Make("440106", "19900101", "123"));
        Assert.Matches(@"^4401\*{10}123[0-9X]$", id.Masked);
        Assert.Equal(id.Masked, id.ToString());
    }

    [Theory]
    [InlineData("4401061990010112")]
    [InlineData("44010619901301123X")]
    [InlineData("4401A6199001011234")]
    public void Malformed_numbers_are_refused(string text) => Assert.False(ResidentIdNumber.TryParse(text, out _, out _));

    [Fact]
    public void Lower_case_x_is_accepted() => Assert.True(ResidentIdNumber.TryParse(Example.ToLowerInvariant(), out _, out _));
}
