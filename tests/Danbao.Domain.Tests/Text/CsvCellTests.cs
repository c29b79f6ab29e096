namespace Danbao.Domain.Tests;

public class CsvCellTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+86 138", "'+86 138")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    public void Cells_that_a_spreadsheet_would_run_as_a_formula_get_a_leading_apostrophe(string text, string cell) =>
        Assert.Equal(cell, CsvCell.Escape(text));

    [Theory]
    [InlineData("陈明", "陈明")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("a=b", "a=b")]
    public void Ordinary_cells_are_quoted_only_when_rfc_4180_needs_it(string? text, string cell) =>
        Assert.Equal(cell, CsvCell.Escape(text));

    [Fact]
    public void Amounts_the_system_formats_stay_numbers()
    {
        Assert.Equal("-1.00", CsvCell.Plain(Money.FromFen(-100).ToPlainString()));
        Assert.Equal("'-1.00", CsvCell.Escape("-1.00"));
        Assert.Equal("陈明,'=1,-1.00", CsvCell.Row([CsvCell.Escape("陈明"), CsvCell.Escape("=1"), CsvCell.Plain("-1.00")]));
    }
}
