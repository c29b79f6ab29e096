using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Domain;
using Danbao.Domain.Time;
using Danbao.Server.Errors;
using Danbao.Server.Hosting;
using Danbao.Server.Identity;
using Danbao.Server.Validation;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.AdminService: the business date. In a sandbox (<see cref="BusinessDateClock"/>) an
/// administrator moves it forward to train people or test an integration through a whole year;
/// in production the date is the real one and cannot be moved.
/// </summary>
public sealed class AdminHandler(TimeProvider clock, Database database, ILogger<AdminHandler> log) : AdminService.AdminServiceBase
{
    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override Task<BusinessDate> GetBusinessDate(GetBusinessDateRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(clock, previous: null));

    [Roles(Role.Admin)]
    public override async Task<BusinessDate> AdvanceBusinessDate(AdvanceBusinessDateRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var to = errors.Date("business_date", request.BusinessDate);
        errors.ThrowIfAny();
        if (clock is not BusinessDateClock sandbox)
        {
            throw RpcErrors.FailedPrecondition("NOT_A_SANDBOX",
                "this server runs on the real date: only a sandbox (--environment sandbox, as ./run.sh starts it) has a business date to advance");
        }
        // Stored first (it only moves forward), then the process's clock: a restart continues from it.
        var stored = sandbox.Date > to!.Value ? sandbox.Date : await StoreAsync(to.Value, context.CancellationToken);
        var before = sandbox.AdvanceTo(stored);
        if (before is null || stored > to.Value)
        {
            throw RpcErrors.FailedPrecondition("BUSINESS_DATE_BACKWARDS",
                $"the business date moves forward only: it is {Text(sandbox.Date)}, {request.BusinessDate} is earlier",
                new Dictionary<string, string> { ["business_date"] = Text(sandbox.Date) });
        }
        if (before != to)
        {
            log.LogWarning("Business date advanced from {From} to {To} by {Caller}", Text(before.Value), Text(to.Value), context.Caller().InstitutionId);
        }
        return Reply(clock, before);
    }

    private Task<DateOnly> StoreAsync(DateOnly date, CancellationToken ct) =>
        database.InSessionAsync(session => session.BusinessDates.AdvanceAsync(date), ct);

    /// <summary>Today's business date (CST) as the rules see it.</summary>
    public static string Today(TimeProvider clock)
    {
        // Every reply's metadata carries it: formatted once per date, not once per call.
        var date = ChinaStandardTime.BusinessDate(clock.GetUtcNow());
        var last = _lastToday;
        if (last?.Date != date)
        {
            _lastToday = last = new DateText(date, Text(date));
        }
        return last.Text;
    }

    private sealed record DateText(DateOnly Date, string Text);
    private static DateText? _lastToday;

    private static BusinessDate Reply(TimeProvider clock, DateOnly? previous) => new()
    {
        Date = Text(BusinessDates.Today(clock)),
        Environment = clock is BusinessDateClock ? "sandbox" : "production",
        PreviousDate = previous is { } p ? Text(p) : "",
    };

    private static string Text(DateOnly date) => BusinessDates.Text(date);
}
