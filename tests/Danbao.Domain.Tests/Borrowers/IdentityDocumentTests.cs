using static Danbao.Domain.Tests.Dates;

namespace Danbao.Domain.Tests;

/// <summary>policy.md §2: HK/Macau residency is evidenced by the identity document, not declared.</summary>
public class IdentityDocumentTests
{
    /// <summary>A valid 18-character number from its first 17 digits.</summary>
    private static string Number(string first17) => first17 + ResidentIdNumber.CheckCharacter(first17);

    private static IdentityDocument Doc(IdentityDocumentType type, string number) => IdentityDocument.Create(type, number).Value;

    private static IndividualEligibilityResult Assess(IndividualApplicant a) => IndividualEligibility.Assess(a, D("2025-06-01"), PolicySeed.Resolver);

    [Fact]
    public void Residence_permit_numbers_starting_810000_and_820000_are_hong_kong_and_macau()
    {
        var hk = Doc(IdentityDocumentType.HkMacauResidencePermit, Number("81000019900101002"));
        Assert.Equal(Residency.HongKong, hk.Residency);
        Assert.Equal(D("1990-01-01"), hk.BirthDate);
        Assert.Equal(Residency.Macau, Doc(IdentityDocumentType.HkMacauResidencePermit, Number("82000019900101002")).Residency);
        Assert.Equal(Residency.Taiwan, Doc(IdentityDocumentType.TaiwanResidencePermit, Number("83000019900101002")).Residency);
        Assert.Equal(Residency.Mainland, Doc(IdentityDocumentType.ResidentIdCard, Number("44010619900101002")).Residency);
    }

    [Fact]
    public void A_number_must_match_its_document_type()
    {
        var refused = IdentityDocument.Create(IdentityDocumentType.ResidentIdCard, Number("81000019900101002"));
        Assert.Equal(ReasonCodes.IdentityDocumentInvalid, refused.Refusal!.Code);
        Assert.Equal(ReasonCodes.IdentityDocumentInvalid,
            IdentityDocument.Create(IdentityDocumentType.HkMacauResidencePermit, Number("44010619900101002")).Refusal!.Code);
        Assert.Equal(ReasonCodes.IdentityDocumentInvalid,
            IdentityDocument.Create(IdentityDocumentType.HkMacauResidencePermit, "810000199001010020").Refusal!.Code); // bad check character
    }

    [Theory]
    [InlineData("H12345678", Residency.HongKong)]
    [InlineData("M1234567801", Residency.Macau)]
    [InlineData(" h12345678 ", Residency.HongKong)]
    public void A_home_return_permit_is_H_or_M_and_8_or_10_digits(string number, Residency residency)
    {
        var permit = Doc(IdentityDocumentType.HomeReturnPermit, number);
        Assert.Equal(residency, permit.Residency);
        Assert.Null(permit.BirthDate);
        Assert.DoesNotContain("2345", permit.ToString());
    }

    [Theory]
    [InlineData("H1234567")]
    [InlineData("H123456789")]
    [InlineData("C12345678")]
    [InlineData("H1234567A")]
    [InlineData("")]
    public void Malformed_home_return_permits_are_refused(string number) =>
        Assert.Equal(ReasonCodes.IdentityDocumentInvalid, IdentityDocument.Create(IdentityDocumentType.HomeReturnPermit, number).Refusal!.Code);

    [Fact]
    public void Hk_macau_youth_is_derived_from_the_document_not_the_declared_flag()
    {
        var founder = IndividualApplicant.FromDocument(Doc(IdentityDocumentType.HkMacauResidencePermit, Number("81000019900101002")), RegionCode.Guangzhou)
            with { KeyGroups = new HashSet<KeyGroup> { KeyGroup.HongKongMacauTaiwanFounder } };
        Assert.True(Assess(founder).HkMacauYouth);
        // A mainland ID card with a self-declared HK residency is not recognised.
        var declared = IndividualApplicant.FromDocument(Doc(IdentityDocumentType.ResidentIdCard, Number("44010619900101002")), RegionCode.Guangzhou)
            with { Residency = Residency.HongKong, KeyGroups = new HashSet<KeyGroup> { KeyGroup.Graduate } };
        Assert.False(Assess(declared).HkMacauYouth);
    }

    [Fact]
    public void A_founder_with_only_a_home_return_permit_can_be_recorded_and_recognised()
    {
        var permit = Doc(IdentityDocumentType.HomeReturnPermit, "M12345678");
        Assert.Throws<ArgumentException>(() => IndividualApplicant.FromDocument(permit, RegionCode.Guangzhou));
        var founder = IndividualApplicant.FromDocument(permit, RegionCode.Guangzhou, D("1988-03-01"), Gender.Female)
            with { KeyGroups = new HashSet<KeyGroup> { KeyGroup.HongKongMacauTaiwanFounder } };
        var result = Assess(founder);
        Assert.True(result.IsEligible);
        Assert.True(result.HkMacauYouth);
        Assert.Equal(37, result.AgeAtApplication);
    }
}
