using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data.Subsidy;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Subsidy;

namespace Danbao.Server.Handlers;

public sealed partial class SubsidyHandler
{
    /// <summary>The programme's figures for a region and period (policy.md §8; Guangzhou 2025 H1: loans, amount, subsidy paid).</summary>
    [Roles(Role.FinanceBureau, Role.EmploymentService, Role.Admin)]
    public override async Task<ProgrammeReport> GetProgrammeReport(GetProgrammeReportRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var period = ProgrammePeriod.Parse(request.Period)
            ?? throw RpcErrors.InvalidArgument($"'{request.Period}' is not a period", ("period", "a year (2025), a half-year (2025-H1) or a quarter (2025-Q3)"));
        var region = request.Region.Length > 0 ? request.Region : caller.RegionCode;
        if (!AccessPolicy.CoversRegion(caller, region))
        {
            throw RpcErrors.PermissionDenied("REGION_NOT_COVERED", $"{caller.InstitutionId} may not see region {region}");
        }
        var ct = context.CancellationToken;
        var session = await reads.GetAsync(ct);
        var (loans, money) = await session.ProgrammeReports.ReportAsync(region, period.From, period.To);
        var report = new ProgrammeReport
        {
            Region = region,
            Period = period.Text,
            StartDate = SubsidyMapping.Date(period.From),
            EndDate = SubsidyMapping.Date(period.To),
            Loans = loans.Where(l => l.Dimension == "ALL").Select(ToProto).FirstOrDefault() ?? new ProgrammeLoanTotal(),
            SubsidyPaidFen = money.SubsidyPaidFen,
            SubsidyClawedBackFen = money.SubsidyClawedBackFen,
            SubsidyLoans = money.SubsidyLoans,
            CompensationClaims = money.CompensationClaims,
            CompensationPaidFen = money.CompensationPaidFen,
            Recoveries = money.Recoveries,
            RecoveredNetFen = money.RecoveredNetFen,
            RecoveredFundFen = money.RecoveredFundFen,
        };
        report.ByBorrowerType.AddRange(loans.Where(l => l.Dimension == "BORROWER_TYPE").Select(ToProto));
        report.ByKeyGroup.AddRange(loans.Where(l => l.Dimension == "KEY_GROUP").Select(ToProto));
        return report;
    }

    private static ProgrammeLoanTotal ToProto(ProgrammeLoanRow r) => new()
    {
        Key = r.Key.StartsWith("KEY_GROUP_", StringComparison.Ordinal) ? r.Key["KEY_GROUP_".Length..] : r.Key,
        ApprovedLoans = r.ApprovedLoans,
        ApprovedFen = r.ApprovedFen,
        DisbursedLoans = r.DisbursedLoans,
        DisbursedFen = r.DisbursedFen,
    };
}

/// <summary>A reporting period: a year "2025", a half-year "2025-H1" or a quarter "2025-Q3"; [From, To).</summary>
public sealed record ProgrammePeriod(string Text, DateOnly From, DateOnly To)
{
    public static ProgrammePeriod? Parse(string text)
    {
        if (text.Length < 4 || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 2000 or > 2100)
        {
            return null;
        }
        var start = new DateOnly(year, 1, 1);
        return text.Length switch
        {
            4 => new ProgrammePeriod(text, start, start.AddYears(1)),
            7 when text[4] == '-' && text[5] == 'H' && text[6] is '1' or '2' => new ProgrammePeriod(text, start.AddMonths((text[6] - '1') * 6), start.AddMonths((text[6] - '0') * 6)),
            7 when text[4] == '-' && text[5] == 'Q' && text[6] is >= '1' and <= '4' => new ProgrammePeriod(text, start.AddMonths((text[6] - '1') * 3), start.AddMonths((text[6] - '0') * 3)),
            _ => null,
        };
    }
}
