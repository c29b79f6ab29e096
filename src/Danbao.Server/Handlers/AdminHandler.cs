using Danbao.Contracts.V1;
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
public sealed class AdminHandler(TimeProvider clock, ILogger<AdminHandler> log) : AdminService.AdminServiceBase
{
    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override Task<BusinessDate> GetBusinessDate(GetBusinessDateRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(clock, previous: null));

    [Roles(Role.Admin)]
    public override Task<BusinessDate> AdvanceBusinessDate(AdvanceBusinessDateRequest request, ServerCallContext context)
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
        var before = sandbox.AdvanceTo(to!.Value);
        if (before is null)
        {
            throw RpcErrors.FailedPrecondition("BUSINESS_DATE_BACKWARDS",
                $"the business date moves forward only: it is {Text(sandbox.Date)}, {request.BusinessDate} is earlier",
                new Dictionary<string, string> { ["business_date"] = Text(sandbox.Date) });
        }
        if (before != to)
        {
            log.LogWarning("Business date advanced from {From} to {To} by {Caller}", Text(before.Value), Text(to.Value), context.Caller().InstitutionId);
        }
        return Task.FromResult(Reply(clock, before));
    }

    private static BusinessDate Reply(TimeProvider clock, DateOnly? previous) => new()
    {
        Date = Text(BusinessDates.Today(clock)),
        Environment = clock is BusinessDateClock ? "sandbox" : "production",
        PreviousDate = previous is { } p ? Text(p) : "",
    };

    private static string Text(DateOnly date) => BusinessDates.Text(date);
}
