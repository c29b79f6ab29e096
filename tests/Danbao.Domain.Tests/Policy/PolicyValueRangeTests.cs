namespace Danbao.Domain.Tests;

public class PolicyValueRangeTests
{
    [Fact]
    public void Every_policy_parameter_has_a_range_of_its_kind()
    {
        foreach (var parameter in PolicyParameters.All)
        {
            Assert.True(PolicyValueRanges.TryGet(parameter.Key, out var range), $"{parameter.Key} has no range");
            Assert.Equal(parameter.Kind, range!.Kind);
            if (parameter.Kind == PolicyValueKind.Enum)
                Assert.Equal(parameter.AllowedValues, range.Allowed);
        }
    }

    [Theory]
    [InlineData(PolicyParameters.IndividualLoanCap, "-1.00")]
    [InlineData(PolicyParameters.IndividualLoanCap, "0.00")]
    [InlineData(PolicyParameters.IndividualLoanCap, "1000000.01")]
    [InlineData(PolicyParameters.EnterpriseLoanCap, "0.00")]
    [InlineData(PolicyParameters.ConsumerLoanThreshold, "0.00")]
    [InlineData(PolicyParameters.CounterGuaranteeThreshold, "-0.01")]
    [InlineData(PolicyParameters.LeverageMultipleMax, "0")]
    [InlineData(PolicyParameters.LeverageMultipleMax, "31")]
    [InlineData(PolicyParameters.RiskShareFundBp, "10001")]
    [InlineData(PolicyParameters.RiskShareFundBp, "8000.5")]
    [InlineData(PolicyParameters.RiskShareFundHkMacauYouthBp, "10001")]
    [InlineData(PolicyParameters.SubsidyV3ShareBp, "10001")]
    [InlineData(PolicyParameters.IndividualTermMaxMonths, "0")]
    [InlineData(PolicyParameters.IndividualTermMaxMonths, "121")]
    [InlineData(PolicyParameters.EnterpriseTermMaxMonths, "0")]
    [InlineData(PolicyParameters.ApplicantAgeMaxWomen, "15")]
    [InlineData(PolicyParameters.ApplicantAgeMaxMen, "71")]
    [InlineData(PolicyParameters.HkMacauYouthAgeMax, "71")]
    [InlineData(PolicyParameters.PublicityLength, "0")]
    [InlineData(PolicyParameters.ReportingDeadlineWorkingDays, "0")]
    [InlineData(PolicyParameters.ClaimOverdueDaysMin, "0")]
    [InlineData(PolicyParameters.SubsidisedLoanCountMax, "0")]
    [InlineData(PolicyParameters.RateSpreadBp, "1000.5")]
    [InlineData(PolicyParameters.PartnershipCapMultiplierBp, "0")]
    public void Out_of_range_values_are_refused_naming_the_parameter_and_its_range(string key, string text)
    {
        var value = PolicyParameters.Get(key).Parse(text);
        var refusal = PolicyValueRanges.Check(key, value).Refusal!;
        Assert.Equal(ReasonCodes.PolicyValueOutOfRange, refusal.Code);
        Assert.Equal("value", refusal.Details["field"]);
        Assert.Equal(key, refusal.Details["parameter"]);
        Assert.Contains(key, refusal.Message);
        Assert.Contains(refusal.Details["range"], refusal.Message);
    }

    [Theory]
    [InlineData(PolicyParameters.IndividualLoanCap, "0.01")]
    [InlineData(PolicyParameters.IndividualLoanCap, "1000000.00")]
    [InlineData(PolicyParameters.CounterGuaranteeThreshold, "0.00")]
    [InlineData(PolicyParameters.LeverageMultipleMax, "1")]
    [InlineData(PolicyParameters.RiskShareFundBp, "0")]
    [InlineData(PolicyParameters.RiskShareFundBp, "10000")]
    [InlineData(PolicyParameters.IndividualTermMaxMonths, "120")]
    [InlineData(PolicyParameters.ApplicantAgeMaxWomen, "16")]
    [InlineData(PolicyParameters.ApplicantAgeMaxMen, "70")]
    [InlineData(PolicyParameters.RateSpreadBp, "172.5")]
    [InlineData(PolicyParameters.ExtensionCountMax, "0")]
    [InlineData(PolicyParameters.SubsidyDuringExtension, "true")]
    [InlineData(PolicyParameters.CompensationBaseMode, "PRINCIPAL_ONLY")]
    public void Values_at_the_bounds_are_accepted(string key, string text) =>
        Assert.True(PolicyValueRanges.Check(key, PolicyParameters.Get(key).Parse(text)).IsOk);

    [Fact]
    public void A_value_of_the_wrong_kind_or_an_unknown_key_is_refused()
    {
        Assert.False(PolicyValueRanges.Check(PolicyParameters.LeverageMultipleMax, PolicyValue.OfBp(5)).IsOk);
        Assert.Equal(ReasonCodes.PolicyValueOutOfRange, PolicyValueRanges.Check("NOPE", PolicyValue.OfInt(1)).Refusal!.Code);
    }
}
