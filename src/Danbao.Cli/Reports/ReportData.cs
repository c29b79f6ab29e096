using System.Globalization;
using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;

namespace Danbao.Cli.Reports;

/// <summary>One quarter of the period: the programme's figures in it and the subsidy settled for its interest.</summary>
internal sealed record QuarterFigures(string Quarter, ProgrammeReport Programme, SubsidySettlementReport? Subsidy);

/// <summary>
/// Everything the report shows, read through the public API only: the programme report of the period and of each
/// of its quarters, the subsidy settlement report of each quarter (by bank), and the funds' month-end positions.
/// </summary>
internal sealed record ReportData(
    string Server,
    DateOnly AsOf,
    ProgrammeReport Total,
    IReadOnlyList<QuarterFigures> Quarters,
    IReadOnlyList<FundPosition> Positions,
    IReadOnlyList<string> Notes)
{
    public DateOnly Start => Day(Total.StartDate);

    /// <summary>Exclusive.</summary>
    public DateOnly End => Day(Total.EndDate);

    public static async Task<ReportData> ReadAsync(DanbaoClient client, string server, string region, string period, CancellationToken ct)
    {
        var notes = new List<string>();
        var today = Day((await client.Admin.GetBusinessDateAsync(new GetBusinessDateRequest(), cancellationToken: ct)).Date);
        var total = await client.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = region, Period = period }, cancellationToken: ct);
        var quarters = new List<QuarterFigures>();
        for (var q = Day(total.StartDate); q < Day(total.EndDate) && q <= today; q = q.AddMonths(3))
        {
            var name = $"{q.Year}-Q{(q.Month + 2) / 3}";
            var programme = await client.Subsidy.GetProgrammeReportAsync(new GetProgrammeReportRequest { Region = total.Region, Period = name }, cancellationToken: ct);
            SubsidySettlementReport? subsidy = null;
            try
            {
                subsidy = await client.Subsidy.GetSubsidySettlementReportAsync(
                    new GetSubsidySettlementReportRequest { Region = total.Region, Quarter = name }, cancellationToken: ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
            {
                notes.Add($"Subsidy by bank for {name}: not visible to this key ({e.Reason()}).");
            }
            quarters.Add(new QuarterFigures(name, programme, subsidy));
        }
        var positions = new List<FundPosition>();
        var last = Day(total.EndDate).AddDays(-1) < today ? Day(total.EndDate).AddDays(-1) : today;
        if (Day(total.StartDate) <= last)
        {
            try
            {
                var request = new ListFundPositionsRequest
                {
                    Region = total.Region, StartDate = total.StartDate, EndDate = Text(last), PageSize = 500,
                };
                do
                {
                    var page = await client.Fund.ListFundPositionsAsync(request, cancellationToken: ct);
                    positions.AddRange(page.Positions);
                    request.PageToken = page.NextPageToken;
                }
                while (request.PageToken.Length > 0);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
            {
                notes.Add($"Guarantee funds' positions: not visible to this key ({e.Reason()}).");
            }
        }
        return new ReportData(server, today, total, quarters, positions, notes);
    }

    public static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
