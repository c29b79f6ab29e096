using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Policy;
using Danbao.Domain;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Loans;
using Danbao.Server.Reference;
using Danbao.Server.Validation;
using DomainPolicyVersion = Danbao.Domain.PolicyVersion;
using ProtoPolicyVersion = Danbao.Contracts.V1.PolicyVersion;

namespace Danbao.Server.Handlers;

/// <summary>danbao.v1.PolicyService: policy versions, the LPR table and the working-day calendar.</summary>
public sealed class PolicyHandler(Database database, WriteRunner writes, ReferenceDataCache reference) : PolicyService.PolicyServiceBase
{
    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListPolicyVersionsResponse> ListPolicyVersions(ListPolicyVersionsRequest request, ServerCallContext context)
    {
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.Decode(request.PageToken);
        var data = await reference.GetAsync(context.CancellationToken);
        var rows = data.Versions
            .Where(v => request.Parameter.Length == 0 || v.Key == request.Parameter)
            .Where(v => request.Region.Length == 0 || v.Region.Value == request.Region)
            .OrderBy(v => v.Id, StringComparer.Ordinal)
            .Where(v => string.CompareOrdinal(v.Id, after) > 0)
            .Take(size + 1)
            .ToList();
        var response = new ListPolicyVersionsResponse();
        response.Versions.AddRange(rows.Take(size).Select(ToProto));
        if (rows.Count > size)
        {
            response.NextPageToken = Paging.Encode(rows[size - 1].Id);
        }
        return response;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ResolvePolicyResponse> ResolvePolicy(ResolvePolicyRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        var date = errors.Date("date", request.Date);
        if (!RegionCode.TryParse(request.Region, out var region))
        {
            errors.Add("region", "a region code like CN, CN-GD or CN-GD-GZ");
        }
        foreach (var key in request.Parameters.Where(k => !PolicyParameters.TryGet(k, out _)))
        {
            errors.Add("parameters", $"'{key}' is not a policy parameter");
        }
        errors.ThrowIfAny();
        var data = await reference.GetAsync(context.CancellationToken);
        var keys = request.Parameters.Count > 0 ? request.Parameters.ToList() : PolicyParameters.All.Select(p => p.Key).ToList();
        var response = new ResolvePolicyResponse();
        foreach (var key in keys)
        {
            var resolved = data.Resolver.Resolve(key, region, date!.Value);
            if (resolved.IsOk)
            {
                response.Values.Add(LoanMappingRefs.Ref(resolved.Value.Version));
            }
        }
        return response;
    }

    [Roles(Role.Admin, Role.FinanceBureau)]
    public override async Task<ProtoPolicyVersion> CreatePolicyVersion(CreatePolicyVersionRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var v = request.Version ?? new ProtoPolicyVersion();
        PolicyParameter? parameter = null;
        if (!PolicyParameters.TryGet(v.Parameter, out parameter))
        {
            errors.Add("version.parameter", $"'{v.Parameter}' is not a policy parameter; ListPolicyVersions shows them");
        }
        if (!RegionCode.TryParse(v.Region, out var region))
        {
            errors.Add("version.region", "a region code like CN, CN-GD or CN-GD-GZ");
        }
        var from = errors.Date("version.effective_from_date", v.EffectiveFromDate);
        errors.Text("version.source", v.Source, lengthMax: 500);
        PolicyValue value = default;
        if (parameter is not null)
        {
            try
            {
                value = parameter.Parse(v.Value);
            }
            catch (FormatException ex)
            {
                errors.Add("version.value", ex.Message);
            }
        }
        errors.ThrowIfAny();
        var caller = context.Caller();
        if (caller.Role != Role.Admin && !caller.CoversRegion(region.Value))
        {
            throw RpcErrors.PermissionDenied("REGION_NOT_ALLOWED",
                $"{caller.InstitutionId} sets policy for {caller.RegionCode} and the regions within it, not {region}");
        }
        var id = $"{region.Value}:{parameter!.Key}:{from!.Value:yyyy-MM-dd}";
        var version = new DomainPolicyVersion(id, parameter.Key, region, from.Value, value, v.Source.Trim());
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            if (!await PolicyStore.TryInsertVersionAsync(scope.Connection, scope.Transaction, version, scope.Caller.InstitutionId, scope.CancellationToken))
            {
                throw RpcErrors.AlreadyExists("danbao.v1.PolicyVersion", "policyVersions/" + id,
                    $"a version of {parameter.Key} for {region} from {from:yyyy-MM-dd} exists; history is never rewritten: add a version from another date");
            }
            await scope.AuditAsync("policy_version", id, "policy_version.created", null, null,
                new { parameter = parameter.Key, region = region.Value, effective_from = from.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), value = value.Text, source = version.Source });
            var proto = ToProto(version);
            proto.CreateTime = scope.Now.ToString("O");
            proto.CreatedBy = scope.Caller.InstitutionId;
            return proto;
        });
        await reference.ReloadAsync(context.CancellationToken);
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<ListLprRatesResponse> ListLprRates(ListLprRatesRequest request, ServerCallContext context)
    {
        var data = await reference.GetAsync(context.CancellationToken);
        var response = new ListLprRatesResponse();
        response.Rates.AddRange(data.Lpr.Entries.Select(e => new LprRate
        {
            EffectiveFromDate = e.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            OneYearBp = (int)e.OneYear.Bp,
            Source = e.Source,
        }));
        return response;
    }

    [Roles(Role.FinanceBureau)]
    public override async Task<LprRate> CreateLprRate(CreateLprRateRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var rate = request.Rate ?? new LprRate();
        var from = errors.Date("rate.effective_from_date", rate.EffectiveFromDate);
        errors.Range("rate.one_year_bp", rate.OneYearBp, 1, 2000);
        errors.Text("rate.source", rate.Source, lengthMax: 500);
        errors.ThrowIfAny();
        var entry = new LprEntry(from!.Value, new Rate(rate.OneYearBp), rate.Source.Trim());
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            if (!await PolicyStore.TryInsertLprAsync(scope.Connection, scope.Transaction, entry, scope.Caller.InstitutionId, scope.CancellationToken))
            {
                throw RpcErrors.AlreadyExists("danbao.v1.LprRate", rate.EffectiveFromDate, $"an LPR from {rate.EffectiveFromDate} exists; LPR history is never rewritten");
            }
            await scope.AuditAsync("lpr", rate.EffectiveFromDate, "lpr.created", null, null, new { one_year_bp = rate.OneYearBp, source = entry.Source });
            return new LprRate { EffectiveFromDate = rate.EffectiveFromDate, OneYearBp = rate.OneYearBp, Source = entry.Source };
        });
        await reference.ReloadAsync(context.CancellationToken);
        return reply;
    }

    [Roles(Role.Admin)]
    public override async Task<CalendarYear> LoadCalendarYear(LoadCalendarYearRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var calendar = request.Calendar ?? new CalendarYear();
        errors.Range("calendar.year", calendar.Year, 2000, 2100);
        if (calendar.DaysOff.Count + calendar.MakeupWorkingDays.Count > 400)
        {
            errors.Add("calendar", "at most 400 listed days in a year");
        }
        var off = calendar.DaysOff.Select((d, i) => errors.Date($"calendar.days_off[{i}]", d)).ToList();
        var makeUp = calendar.MakeupWorkingDays.Select((d, i) => errors.Date($"calendar.makeup_working_days[{i}]", d)).ToList();
        errors.ThrowIfAny();
        // A year's notice may start in the last days of the year before (2022-12-31 in the 2023 table).
        var all = off.Concat(makeUp).Select(d => d!.Value).ToList();
        if (all.Any(d => d.Year != calendar.Year && !(d.Year == calendar.Year - 1 && d.Month == 12)))
        {
            throw RpcErrors.InvalidArgument("listed days must fall in the year (or the last days of the year before)",
                ("calendar", $"every date must be in {calendar.Year}"));
        }
        if (all.Count != all.Distinct().Count())
        {
            throw RpcErrors.InvalidArgument("a day is listed twice", ("calendar", "each date at most once, either off or make-up"));
        }
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var loaded = await PolicyStore.TryLoadCalendarYearAsync(scope.Connection, scope.Transaction, calendar.Year,
                $"loaded by {scope.Caller.InstitutionId}", off.Select(d => d!.Value), makeUp.Select(d => d!.Value), scope.CancellationToken);
            if (!loaded)
            {
                throw RpcErrors.AlreadyExists("danbao.v1.CalendarYear", calendar.Year.ToString(CultureInfo.InvariantCulture),
                    $"the {calendar.Year} table is loaded already");
            }
            await scope.AuditAsync("calendar_year", calendar.Year.ToString(CultureInfo.InvariantCulture), "calendar.loaded", null, null,
                new { days_off = off.Count, makeup_working_days = makeUp.Count });
            return calendar.Clone();
        });
        await reference.ReloadAsync(context.CancellationToken);
        return reply;
    }

    [Roles(Role.Bank, Role.FundOperator, Role.EmploymentService, Role.FinanceBureau, Role.Admin)]
    public override async Task<CalendarYear> GetCalendarYear(GetCalendarYearRequest request, ServerCallContext context)
    {
        await using var conn = await database.DataSource.OpenConnectionAsync(context.CancellationToken);
        var year = await PolicyStore.GetCalendarYearAsync(conn, request.Year, context.CancellationToken)
            ?? throw RpcErrors.NotFound("danbao.v1.CalendarYear", request.Year.ToString(CultureInfo.InvariantCulture),
                $"no working-day table for {request.Year}; LoadCalendarYear adds one");
        var reply = new CalendarYear { Year = request.Year };
        reply.DaysOff.AddRange(year.Off.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        reply.MakeupWorkingDays.AddRange(year.MakeUp.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        return reply;
    }

    private static ProtoPolicyVersion ToProto(DomainPolicyVersion v) => new()
    {
        Name = "policyVersions/" + v.Id,
        Parameter = v.Key,
        Region = v.Region.Value,
        EffectiveFromDate = v.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Value = v.Value.Text,
        Source = v.Source,
    };
}
