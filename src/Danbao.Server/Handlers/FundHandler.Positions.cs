using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data.Fund;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Leverage;
using Danbao.Domain.Policy;
using Danbao.Server.Errors;
using Danbao.Server.Identity;
using Danbao.Server.Validation;
using Grpc.Core;

namespace Danbao.Server.Handlers;

public sealed partial class FundHandler
{
    /// <summary>Longest span of one ListFundPositions request: ten years of month-ends.</summary>
    public const int PositionYearsMax = 10;

    /// <summary>The funds' positions at month-ends over time: outstanding guarantees against the leverage limit (the report's chart).</summary>
    [Roles(Role.FundOperator, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListFundPositionsResponse> ListFundPositions(ListFundPositionsRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var start = errors.Date("start_date", request.StartDate);
        var end = errors.Date("end_date", request.EndDate);
        var today = Today();
        if (start is { } s && end is { } e)
        {
            if (e < s)
            {
                errors.Add("end_date", "must be on or after start_date");
            }
            else if (e > s.AddYears(PositionYearsMax))
            {
                errors.Add("end_date", $"at most {PositionYearsMax} years after start_date");
            }
        }
        if (end > today)
        {
            errors.Add("end_date", $"must not be after today ({today:yyyy-MM-dd} CST)");
        }
        if (request.Fund.Length > 0 && request.Region.Length > 0)
        {
            errors.Add("region", "give a fund or a region, not both");
        }
        errors.ThrowIfAny();
        var size = Paging.PageSize(request.PageSize);
        var after = Cursor(Paging.Decode(request.PageToken));
        var caller = context.Caller();
        var ct = context.CancellationToken;
        IReadOnlyList<(string Id, string Region)> funds;
        if (request.Fund.Length > 0 || caller.Role == Role.FundOperator)
        {
            var fund = await VisibleFundAsync(caller, request.Fund, "fund", ct);
            funds = [(fund.Id, fund.Region)];
        }
        else
        {
            var region = request.Region.Length > 0 ? request.Region : caller.RegionCode;
            if (!caller.CoversRegion(region))
            {
                throw RpcErrors.PermissionDenied("REGION_NOT_COVERED", $"{caller.InstitutionId} may not see region {region}");
            }
            var session = await reads.GetAsync(ct);
            funds = await session.FundPositions.FundsWithinAsync(region);
        }
        var dates = MonthEnds(start!.Value, end!.Value);
        // (fund, date) pairs after the cursor, one more than the page to know whether another follows.
        var page = funds.SelectMany(f => dates.Select(d => (Fund: f, Date: d)))
            .Where(p => after is null || string.CompareOrdinal(p.Fund.Id, after.Value.Fund) > 0
                || (p.Fund.Id == after.Value.Fund && p.Date > after.Value.Date))
            .Take(size + 1).ToList();
        var response = new ListFundPositionsResponse();
        var policy = await reference.GetAsync(ct);
                {
            var session = await reads.GetAsync(ct);
            // Every fund of the page in one round trip.
            var groups = page.Take(size).GroupBy(p => p.Fund).Select(group => (group.Key, Rows: session.Enqueue(session.FundPositions.Positions(
                FundAccounts.Cash(group.Key.Id), FundAccounts.GuaranteesOutstanding(group.Key.Id), group.Select(p => p.Date).ToList())))).ToList();
            await session.FlushAsync();
            foreach (var group in groups)
            {
                foreach (var row in group.Rows.Value)
                {
                    var k = policy.Resolver.At(new RegionCode(group.Key.Region), row.Date).LeverageMultipleMax;
                    var limit = LeverageCheck.Limit(new Money(row.BalanceFen), k).Fen;
                    response.Positions.Add(new FundPosition
                    {
                        Fund = "institutions/" + group.Key.Id,
                        Date = Date(row.Date),
                        BalanceFen = row.BalanceFen,
                        OutstandingGuaranteesFen = row.OutstandingFen,
                        LeverageMultipleMax = k,
                        LeverageLimitFen = limit,
                        LeverageInUseBp = limit > 0
                            ? (int)Math.Min(int.MaxValue, (decimal)row.OutstandingFen * 10_000 / limit)
                            : (row.OutstandingFen > 0 ? int.MaxValue : 0),
                    });
                }
            }
        }
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = Paging.Encode($"{last.Fund.Id}|{last.Date:yyyy-MM-dd}");
        }
        return response;
    }

    /// <summary>Every month's last day in [start, end], and end itself.</summary>
    private static List<DateOnly> MonthEnds(DateOnly start, DateOnly end)
    {
        var dates = new List<DateOnly>();
        for (var monthEnd = new DateOnly(start.Year, start.Month, 1).AddMonths(1).AddDays(-1); monthEnd < end; monthEnd = monthEnd.AddDays(1).AddMonths(1).AddDays(-1))
        {
            dates.Add(monthEnd);
        }
        dates.Add(end);
        return dates;
    }

    private static (string Fund, DateOnly Date)? Cursor(string cursor)
    {
        if (cursor.Length == 0)
        {
            return null;
        }
        var parts = cursor.Split('|');
        return parts.Length == 2 && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? (parts[0], date)
            : throw RpcErrors.InvalidArgument("page_token is not one this method issued", ("page_token", "pass next_page_token as returned"));
    }
}
