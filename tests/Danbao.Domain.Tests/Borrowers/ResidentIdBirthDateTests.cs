using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

public class ResidentIdBirthDateTests
{
    [Fact]
    public void An_id_number_born_after_the_application_date_is_refused_naming_the_field()
    {
        var id = ResidentIdNumber.Parse(ResidentIdNumberTests.Make("440106", "20250602", "001"));
        var refusal = id.CheckBornBy(D("2025-06-01"), "borrower.person.id_number").Refusal!;
        Assert.Equal(ReasonCodes.BirthDateAfterApplication, refusal.Code);
        Assert.Equal("borrower.person.id_number", refusal.Details["field"]);
        Assert.True(id.CheckBornBy(D("2025-06-02"), "borrower.person.id_number").IsOk);
    }
}
