using System.Globalization;
using Danbao.Contracts.V1;
using Danbao.Data.Policy;
using Danbao.Data.Sessions;
using Danbao.Domain;
using Danbao.Domain.Figures;
using Danbao.Domain.Policy;
using Danbao.Domain.Rates;
using Danbao.Domain.Text;
using Danbao.Domain.Time;
using Danbao.Domain.Results;
using Grpc.Core;
using Danbao.Server.Errors;
using Danbao.Server.Calls;
using Danbao.Server.Identity;
using Danbao.Server.Resources;
using Danbao.Server.Loans;
using Danbao.Server.Reference;
using Danbao.Server.Validation;
using DomainPolicyVersion = Danbao.Domain.Policy.PolicyVersion;
using ProtoPolicyVersion = Danbao.Contracts.V1.PolicyVersion;

namespace Danbao.Server.Handlers;

/// <summary>
/// danbao.v1.PolicyService: policy versions, the LPR table and the working-day calendar. Reads come from
/// the <see cref="ReferenceDataCache"/> or the call's <see cref="ReadSession"/>; a write's insert, audit event
/// and stored reply go to PostgreSQL as one batch after the claim.
/// </summary>
public sealed class PolicyHandler(ReadSession reads, WriteRunner writes, ReferenceDataCache reference) : PolicyService.PolicyServiceBase
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
            errors.Add("version.parameter", $"'{Shown(v.Parameter)}' is not a policy parameter; ListPolicyVersions shows them");
        }
        if (!RegionCode.TryParse(v.Region, out var region))
        {
            errors.Add("version.region", "a region code like CN, CN-GD or CN-GD-GZ");
        }
        var from = errors.Date("version.effective_from_date", v.EffectiveFromDate);
        var to = errors.Date("version.effective_to_date", v.EffectiveToDate, required: false);
        errors.Text("version.source", v.Source, lengthMax: 500);
        if (parameter is not null)
        {
            try
            {
                parameter.Parse(v.Value);
            }
            catch (FormatException ex)
            {
                errors.Add("version.value", ex.Message);
            }
        }
        errors.ThrowIfAny();
        var writer = WriterOf(context.Caller());
        // Fail fast on who may write, before any database work (the same check runs again in the write).
        Check(PolicyGovernance.MayWriteRegion(writer, region));
        // Load fresh before deciding (another instance may have added a version): on a connection of
        // its own, before the write holds one.
        var data = await reference.ReloadAsync(context.CancellationToken);
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var today = BusinessDates.Of(scope.Now);
            var version = Check(PolicyGovernance.ProposeVersion(writer, parameter!.Key, region.Value, from!.Value, to, v.Value, v.Source.Trim(), today, data.Resolver));
            scope.Session.Policy.InsertVersion(version, scope.Caller.InstitutionId, exists: () =>
                RpcErrors.AlreadyExists(ResourceNames.PolicyVersion.Type, ResourceNames.PolicyVersion.Format(version.Id),
                    $"a version of {parameter.Key} for {region} from {from:yyyy-MM-dd} exists; history is never rewritten: add a version from another date"));
            await scope.AuditAsync("policy_version", version.Id, "policy_version.created", null, null,
                new
                {
                    parameter = parameter.Key, region = region.Value, effective_from = Day(version.EffectiveFrom),
                    effective_to = version.EffectiveTo is { } end ? Day(end) : null, value = version.Value.Text, source = version.Source,
                });
            var proto = ToProto(version);
            proto.CreateTime = scope.Now.ToString("O");
            proto.CreatedBy = scope.Caller.InstitutionId;
            return proto;
        });
        await reference.ReloadAsync(context.CancellationToken);
        return reply;
    }

    [Roles(Role.Admin, Role.FinanceBureau)]
    public override async Task<ProtoPolicyVersion> WithdrawPolicyVersion(WithdrawPolicyVersionRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var id = ResourceNames.PolicyVersion.Parse(errors, "name", request.Name);
        errors.CheckedText("reason", request.Reason, PolicyGovernance.WithdrawalReasonLengthMax, TextShape.MultiLine);
        if (!TextInput.HasVisibleCharacter(request.Reason ?? ""))
        {
            errors.Add("reason", "required: why the version is withdrawn");
        }
        errors.ThrowIfAny();
        var writer = WriterOf(context.Caller());
        var data = await reference.ReloadAsync(context.CancellationToken);
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            var version = data.Versions.FirstOrDefault(x => x.Id == id);
            // A version outside the writer's regions is answered as unknown only when it does not exist: versions are public.
            if (version is null)
            {
                throw RpcErrors.NotFound(ResourceNames.PolicyVersion.Type, request.Name, $"no policy version {request.Name}");
            }
            var today = BusinessDates.Of(scope.Now);
            var withdrawn = Check(PolicyGovernance.CheckWithdrawal(writer, version, request.Reason ?? "", today));
            scope.Session.Policy.InsertWithdrawal(withdrawn, scope.Caller.InstitutionId, scope.Now, withdrawnAlready: () =>
                RpcErrors.FailedPrecondition(ReasonCodes.PolicyVersionAlreadyWithdrawn, $"{version.Id} is withdrawn already"));
            await scope.AuditAsync("policy_version", version.Id, "policy_version.withdrawn", null, null,
                new { reason = withdrawn.Withdrawal!.Reason, effective_from = Day(version.EffectiveFrom) });
            return ToProto(withdrawn);
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

    /// <summary>ADMIN alone (§11): the finance bureau is listed so that it hears LPR_ADMIN_ONLY, not a bare role refusal.</summary>
    [Roles(Role.Admin, Role.FinanceBureau)]
    public override async Task<LprRate> CreateLprRate(CreateLprRateRequest request, ServerCallContext context)
    {
        var errors = new FieldErrors();
        errors.RequestId("request_id", request.RequestId);
        var rate = request.Rate ?? new LprRate();
        var from = errors.Date("rate.effective_from_date", rate.EffectiveFromDate);
        if (rate.OneYearBp <= 0 || rate.OneYearBp >= PolicyGovernance.LprBpMaxExclusive)
        {
            errors.Add("rate.one_year_bp", $"the 1-year LPR must be above 0 and below {PolicyGovernance.LprBpMaxExclusive} bp (20%)");
        }
        errors.Text("rate.source", rate.Source, lengthMax: 500);
        errors.ThrowIfAny();
        var writer = WriterOf(context.Caller());
        Check(PolicyGovernance.MayWriteLpr(writer));
        var data = await reference.ReloadAsync(context.CancellationToken);
        var entry = new LprEntry(from!.Value, new Rate(rate.OneYearBp), rate.Source.Trim());
        var reply = await writes.RunAsync(context, request.RequestId, request, async scope =>
        {
            Check(PolicyGovernance.CheckNewLpr(writer, entry, BusinessDates.Of(scope.Now), data.Lpr), fieldPrefix: "rate.");
            scope.Session.Policy.InsertLpr(entry, scope.Caller.InstitutionId, exists: () =>
                RpcErrors.AlreadyExists("danbao.v1.LprRate", rate.EffectiveFromDate, $"an LPR from {rate.EffectiveFromDate} exists; LPR history is never rewritten"));
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
            scope.Session.Policy.LoadCalendarYear(calendar.Year, $"loaded by {scope.Caller.InstitutionId}",
                off.Select(d => d!.Value), makeUp.Select(d => d!.Value), loadedAlready: () =>
                    RpcErrors.AlreadyExists("danbao.v1.CalendarYear", calendar.Year.ToString(CultureInfo.InvariantCulture),
                        $"the {calendar.Year} table is loaded already"));
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
        var session = await reads.GetAsync(context.CancellationToken);
        var year = await session.ReadAsync(session.Policy.GetCalendarYear(request.Year))
            ?? throw RpcErrors.NotFound("danbao.v1.CalendarYear", request.Year.ToString(CultureInfo.InvariantCulture),
                $"no working-day table for {request.Year}; LoadCalendarYear adds one");
        var reply = new CalendarYear { Year = request.Year };
        reply.DaysOff.AddRange(year.Off.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        reply.MakeupWorkingDays.AddRange(year.MakeUp.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        return reply;
    }

    private static ProtoPolicyVersion ToProto(DomainPolicyVersion v) => new()
    {
        Name = ResourceNames.PolicyVersion.Format(v.Id),
        Parameter = v.Key,
        Region = v.Region.Value,
        EffectiveFromDate = v.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Value = v.Value.Text,
        Source = v.Source,
        EffectiveToDate = v.EffectiveTo is { } to ? Day(to) : "",
        Withdrawal = v.Withdrawal is { } w
            ? new PolicyVersionWithdrawal
            {
                Kind = PolicyWithdrawal.ToCode(w.Kind),
                Reason = w.Reason,
                ReplacedBy = w.ReplacedById is { } by ? ResourceNames.PolicyVersion.Format(by) : "",
            }
            : null,
    };

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>The caller as rule governance sees it (§11).</summary>
    private static PolicyWriter WriterOf(Identity.Caller caller) => caller.Role switch
    {
        Role.Admin => PolicyWriter.Admin,
        Role.FinanceBureau when RegionCode.TryParse(caller.RegionCode, out var region) => PolicyWriter.FinanceBureauOf(region),
        _ => new PolicyWriter(PolicyWriterRole.Other, RegionCode.National),
    };

    /// <summary>
    /// A governance refusal as its status: who may write → PERMISSION_DENIED; a bad value, date or
    /// text → INVALID_ARGUMENT with a field violation on the request field it names; a version
    /// on that date → ALREADY_EXISTS; a version in force or withdrawn already → FAILED_PRECONDITION.
    /// </summary>
    private static T Check<T>(Result<T> result, string fieldPrefix = "version.")
    {
        if (result.IsOk)
        {
            return result.Value;
        }
        var refusal = result.Refusal;
        var details = refusal.Details;
        throw refusal.Code switch
        {
            ReasonCodes.LprAdminOnly or ReasonCodes.RegionNotAllowed or ReasonCodes.PolicyWriteNotAllowed =>
                RpcErrors.PermissionDenied(refusal.Code, refusal.Message),
            ReasonCodes.PolicyValueOutOfRange or ReasonCodes.PolicyEndBeforeStart or ReasonCodes.EffectiveDateInPast
                or ReasonCodes.TextInvalid or ReasonCodes.WithdrawalReasonRequired or ReasonCodes.PolicyValueInvalid =>
                RpcErrors.InvalidArgument(refusal.Message, (RequestField(details, fieldPrefix), refusal.Message)),
            ReasonCodes.PolicyVersionExists => RpcErrors.AlreadyExists("danbao.v1.PolicyVersion", "", refusal.Message),
            _ => refusal.ToRpc(),
        };
    }

    /// <summary>The request field a refusal's "field" detail names: value → version.value, one_year_bp → rate.one_year_bp, reason → reason.</summary>
    private static string RequestField(IReadOnlyDictionary<string, string> details, string prefix) =>
        details.TryGetValue("field", out var field)
            ? field switch
            {
                "effective_from" => prefix + "effective_from_date",
                "effective_to" => prefix + "effective_to_date",
                "reason" => "reason",
                _ => prefix + field,
            }
            : prefix.TrimEnd('.');
}
