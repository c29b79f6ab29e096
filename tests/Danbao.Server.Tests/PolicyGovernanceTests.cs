using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Server.Tests.Support;
using Grpc.Core;

namespace Danbao.Server.Tests;

/// <summary>
/// Who may change the rules, and when (policy.md §10, §11; issue 14 findings 1 and 2). The fixture's
/// today is 2027-07-01 (CST). Each test writes its own parameter or region so that order does not matter.
/// </summary>
public sealed class PolicyGovernanceTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    private static CreatePolicyVersionRequest Version(string parameter, string region, string from, string value, string to = "") => new()
    {
        RequestId = DanbaoClient.NewRequestId(),
        Version = new PolicyVersion { Parameter = parameter, Region = region, EffectiveFromDate = from, EffectiveToDate = to, Value = value, Source = "test: governance" },
    };

    private static CreateLprRateRequest Lpr(string from, int bp) => new()
    {
        RequestId = DanbaoClient.NewRequestId(),
        Rate = new LprRate { EffectiveFromDate = from, OneYearBp = bp, Source = "test: LPR" },
    };

    private async Task<int> LprCount() => (await server.As("icbc-gz").Policy.ListLprRatesAsync(new ListLprRatesRequest())).Rates.Count;

    private async Task<List<PolicyVersion>> Versions(string parameter, string region) =>
        (await server.As("icbc-gz").Policy.ListPolicyVersionsAsync(new ListPolicyVersionsRequest { Parameter = parameter, Region = region, PageSize = 500 })).Versions.ToList();

    [Fact]
    public async Task The_lpr_is_national_and_a_finance_bureau_may_not_set_it()
    {
        var before = await LprCount();
        foreach (var bureau in new[] { "jm-finance", "gz-finance" })
        {
            // Finding 1: Jiangmen's bureau set the LPR to 0.01% from today and every Guangzhou application was refused.
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.As(bureau).Policy.CreateLprRateAsync(Lpr("2027-07-01", 1)));
            Assert.Equal((StatusCode.PermissionDenied, "LPR_ADMIN_ONLY"), (refused.StatusCode, refused.Reason()));
        }
        Assert.Equal(before, await LprCount());
    }

    [Fact]
    public async Task An_lpr_takes_effect_today_or_later_and_lies_between_0_and_20_percent()
    {
        var admin = server.As("admin");
        var before = await LprCount();
        // Finding 1: a back-dated LPR of 20% from 2022-02-15 cut an explained subsidy from 1.80% to 0.00%.
        var backdated = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.CreateLprRateAsync(Lpr("2022-02-15", 1999)));
        Assert.Equal(StatusCode.InvalidArgument, backdated.StatusCode);
        Assert.Equal(["rate.effective_from_date"], backdated.FieldViolations().Select(v => v.Field).ToArray());
        foreach (var bp in new[] { 0, -5, 2000 })
        {
            var outOfRange = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.CreateLprRateAsync(Lpr("2027-07-02", bp)));
            Assert.Equal(StatusCode.InvalidArgument, outOfRange.StatusCode);
            Assert.Equal(["rate.one_year_bp"], outOfRange.FieldViolations().Select(v => v.Field).ToArray());
        }
        Assert.Equal(before, await LprCount());
        var created = await admin.Policy.CreateLprRateAsync(Lpr("2027-07-01", 1999));
        Assert.Equal(1999, created.OneYearBp);
        Assert.Equal(before + 1, await LprCount());
    }

    [Fact]
    public async Task A_finance_bureau_sets_its_own_region_and_the_cities_below_never_national_parent_or_sibling()
    {
        var jm = server.As("jm-finance");
        foreach (var region in new[] { "CN", "CN-GD", "CN-GD-GZ" })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await jm.Policy.CreatePolicyVersionAsync(Version("PUBLICITY_LENGTH", region, "2027-09-01", "7")));
            Assert.Equal((StatusCode.PermissionDenied, "REGION_NOT_ALLOWED"), (refused.StatusCode, refused.Reason()));
        }
        var bank = await Assert.ThrowsAsync<RpcException>(async () => await server.As("jmrcb").Policy.CreatePolicyVersionAsync(Version("PUBLICITY_LENGTH", "CN-GD-JM", "2027-09-01", "7")));
        Assert.Equal(StatusCode.PermissionDenied, bank.StatusCode);
        Assert.DoesNotContain(await Versions("PUBLICITY_LENGTH", "CN-GD"), v => v.EffectiveFromDate == "2027-09-01");

        var own = await jm.Policy.CreatePolicyVersionAsync(Version("PUBLICITY_LENGTH", "CN-GD-JM", "2027-09-01", "7"));
        Assert.Equal(("policyVersions/CN-GD-JM:PUBLICITY_LENGTH:2027-09-01", "jm-finance"), (own.Name, own.CreatedBy));
        var national = await server.As("admin").Policy.CreatePolicyVersionAsync(Version("PUBLICITY_LENGTH", "CN", "2027-09-01", "5"));
        Assert.Equal("admin", national.CreatedBy);
    }

    [Fact]
    public async Task A_version_takes_effect_today_or_later_never_backdated()
    {
        var admin = server.As("admin");
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.CreatePolicyVersionAsync(Version("EXTENSION_COUNT_MAX", "CN-GD-JM", "2027-06-30", "2")));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["version.effective_from_date"], refused.FieldViolations().Select(v => v.Field).ToArray());
        Assert.Empty(await Versions("EXTENSION_COUNT_MAX", "CN-GD-JM"));
        var today = await admin.Policy.CreatePolicyVersionAsync(Version("EXTENSION_COUNT_MAX", "CN-GD-JM", "2027-07-01", "2"));
        Assert.Equal("2027-07-01", today.EffectiveFromDate);
    }

    [Theory]
    [InlineData("INDIVIDUAL_LOAN_CAP", "-1.00")]
    [InlineData("INDIVIDUAL_LOAN_CAP", "0.00")]
    [InlineData("LEVERAGE_MULTIPLE_MAX", "0")]
    [InlineData("RISK_SHARE_FUND_BP", "10001")]
    [InlineData("APPLICANT_AGE_MAX_MEN", "15")]
    [InlineData("CLAIM_OVERDUE_DAYS_MIN", "0")]
    public async Task A_value_out_of_its_range_is_refused_on_the_value_field_naming_the_parameter(string parameter, string value)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.As("gz-finance").Policy.CreatePolicyVersionAsync(Version(parameter, "CN-GD-GZ", "2027-10-01", value)));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violation = Assert.Single(refused.FieldViolations());
        Assert.Equal("version.value", violation.Field);
        Assert.Contains(parameter, violation.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(await Versions(parameter, "CN-GD-GZ"), v => v.EffectiveFromDate == "2027-10-01");
    }

    [Fact]
    public async Task A_future_version_is_withdrawn_with_a_reason_before_it_takes_effect_and_never_governs()
    {
        var jm = server.As("jm-finance");
        var created = await jm.Policy.CreatePolicyVersionAsync(Version("RISK_SHARE_FUND_BP", "CN-GD-JM", "2027-08-01", "9500"));
        var resolveOn = new ResolvePolicyRequest { Region = "CN-GD-JM", Date = "2027-08-15", Parameters = { "RISK_SHARE_FUND_BP" } };
        Assert.Equal("9500", (await jm.Policy.ResolvePolicyAsync(resolveOn)).Values.Single().Value);

        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await jm.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Name, Reason = " \u200B " }));
        Assert.Equal(["reason"], noReason.FieldViolations().Select(v => v.Field).ToArray());
        var sibling = await Assert.ThrowsAsync<RpcException>(async () => await server.As("gz-finance").Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Name, Reason = "not ours" }));
        Assert.Equal((StatusCode.PermissionDenied, "REGION_NOT_ALLOWED"), (sibling.StatusCode, sibling.Reason()));

        var withdrawn = await jm.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Name, Reason = "江门 notice recalled" });
        Assert.Equal(("WITHDRAWN", "江门 notice recalled"), (withdrawn.Withdrawal.Kind, withdrawn.Withdrawal.Reason));
        var listed = Assert.Single(await Versions("RISK_SHARE_FUND_BP", "CN-GD-JM"), v => v.Name == created.Name);
        Assert.Equal("WITHDRAWN", listed.Withdrawal.Kind);
        // The national product default 8:2 governs again.
        var resolved = (await jm.Policy.ResolvePolicyAsync(resolveOn)).Values.Single();
        Assert.Equal(("CN", "8000"), (resolved.Region, resolved.Value));

        var again = await Assert.ThrowsAsync<RpcException>(async () => await jm.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Name, Reason = "twice" }));
        Assert.Equal((StatusCode.FailedPrecondition, "POLICY_VERSION_ALREADY_WITHDRAWN"), (again.StatusCode, again.Reason()));
        // The date is free again: a replacement takes the revision id.
        var replacement = await jm.Policy.CreatePolicyVersionAsync(Version("RISK_SHARE_FUND_BP", "CN-GD-JM", "2027-08-01", "8500"));
        Assert.Equal("policyVersions/CN-GD-JM:RISK_SHARE_FUND_BP:2027-08-01:r2", replacement.Name);
    }

    [Fact]
    public async Task A_version_in_force_can_no_longer_be_withdrawn()
    {
        var admin = server.As("admin");
        var inForce = await admin.Policy.CreatePolicyVersionAsync(Version("REPORTING_DEADLINE_WORKING_DAYS", "CN-GD-JM", "2027-07-01", "5"));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = inForce.Name, Reason = "too late" }));
        Assert.Equal((StatusCode.FailedPrecondition, "POLICY_VERSION_ALREADY_EFFECTIVE"), (refused.StatusCode, refused.Reason()));
        var seeded = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = "policyVersions/CN:INDIVIDUAL_LOAN_CAP:2023-10-01", Reason = "x" }));
        Assert.Equal(StatusCode.FailedPrecondition, seeded.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await admin.Policy.WithdrawPolicyVersionAsync(
            new WithdrawPolicyVersionRequest { RequestId = DanbaoClient.NewRequestId(), Name = "policyVersions/CN:NOPE:2027-08-01", Reason = "x" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Versions_list_their_end_dates_and_the_seed_corrections_that_superseded_them()
    {
        var hk = await Versions("RISK_SHARE_FUND_HK_MACAU_YOUTH_BP", "CN-GD-GZ");
        var current = Assert.Single(hk, v => v.Name == "policyVersions/CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-02-06");
        Assert.Equal(("2024-02-06", "2029-02-05", "9000", null), (current.EffectiveFromDate, current.EffectiveToDate, current.Value, current.Withdrawal));
        var superseded = Assert.Single(hk, v => v.Name == "policyVersions/CN-GD-GZ:RISK_SHARE_FUND_HK_MACAU_YOUTH_BP:2024-01-01");
        Assert.Equal(("SUPERSEDED", current.Name), (superseded.Withdrawal.Kind, superseded.Withdrawal.ReplacedBy));

        var ended = await server.As("admin").Policy.CreatePolicyVersionAsync(Version("PUBLICITY_LENGTH", "CN-GD-JM", "2027-12-01", "10", to: "2027-12-31"));
        Assert.Equal("2027-12-31", ended.EffectiveToDate);
        var after = await server.As("jmrcb").Policy.ResolvePolicyAsync(new ResolvePolicyRequest { Region = "CN-GD-JM", Date = "2028-01-01", Parameters = { "PUBLICITY_LENGTH" } });
        Assert.NotEqual("10", after.Values.Single().Value);
        var endBeforeStart = await Assert.ThrowsAsync<RpcException>(async () => await server.As("admin").Policy.CreatePolicyVersionAsync(
            Version("PUBLICITY_LENGTH", "CN-GD-JM", "2028-02-01", "10", to: "2028-01-31")));
        Assert.Equal(["version.effective_to_date"], endBeforeStart.FieldViolations().Select(v => v.Field).ToArray());
    }

    [Fact]
    public async Task A_create_retried_the_next_day_returns_the_first_answer()
    {
        var request = Version("SUBSIDISED_LOAN_COUNT_MAX", "CN-GD-GZ", "2027-07-01", "3");
        var first = await server.As("gz-finance").Policy.CreatePolicyVersionAsync(request);
        var today = server.Clock.GetUtcNow();
        server.Clock.Set(today.AddDays(1));
        try
        {
            // By then 2027-07-01 is in the past: a fresh request would be refused, the retry is not.
            var retried = await server.As("gz-finance").Policy.CreatePolicyVersionAsync(request);
            Assert.Equal(first, retried);
        }
        finally
        {
            server.Clock.Set(today);
        }
    }

    [Fact]
    public async Task A_source_with_a_nul_or_escape_character_is_refused_on_its_field()
    {
        var request = Version("PUBLICITY_LENGTH", "CN-GD-GZ", "2027-11-01", "7");
        request.Version.Source = "notice\0\u001b[31m";
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.As("admin").Policy.CreatePolicyVersionAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["version.source"], refused.FieldViolations().Select(v => v.Field).ToArray());
    }
}
