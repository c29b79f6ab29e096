using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Danbao.Client;
using Danbao.Contracts.V1;
using ResidentIdNumber = Danbao.Domain.ResidentIdNumber;
using Danbao.Grpc;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>
/// Plans every loan up front from the seed (so the data set does not depend on the order calls
/// complete in), then plays the plans through the API with a bounded number of calls in flight.
/// Request ids derive from the seed, the as-of date, the loan's index and the step: re-running
/// the same command replays the first answers instead of creating duplicates.
/// </summary>
internal sealed class DemoSeeder(CliContext cli, DanbaoClient admin, int seed, DateOnly asOf, int concurrency)
{
    /// <summary>The demo institutions (the same ids as the server's --demo-keys set).</summary>
    public static readonly (string Id, string Name, Role Role, string Region)[] Institutions =
    [
        ("gz-fund", "广州市创业担保贷款担保基金 (operator)", Role.FundOperator, "CN-GD-GZ"),
        ("gz-hrss", "广州市公共就业服务机构", Role.EmploymentService, "CN-GD-GZ"),
        ("gz-finance", "广州市财政局", Role.FinanceBureau, "CN-GD-GZ"),
        ("jm-fund", "江门市创业担保贷款担保基金 (operator)", Role.FundOperator, "CN-GD-JM"),
        ("jm-hrss", "江门市公共就业服务机构", Role.EmploymentService, "CN-GD-JM"),
        ("jm-finance", "江门市财政局", Role.FinanceBureau, "CN-GD-JM"),
        ("icbc-gz", "工商银行广州分行", Role.Bank, "CN-GD-GZ"),
        ("ccb-gz", "建设银行广州分行", Role.Bank, "CN-GD-GZ"),
        ("boc-gz", "中国银行广州分行", Role.Bank, "CN-GD-GZ"),
        ("gzrcb", "广州农商银行", Role.Bank, "CN-GD-GZ"),
        ("jmrcb", "江门农商银行", Role.Bank, "CN-GD-JM"),
    ];

    private static readonly string[] GzBanks = ["icbc-gz", "ccb-gz", "boc-gz", "gzrcb"];
    private static readonly (string District, string Area)[] GzDistricts =
        [("天河区", "440106"), ("越秀区", "440104"), ("海珠区", "440105"), ("白云区", "440111"), ("番禺区", "440113"), ("黄埔区", "440112")];
    private static readonly (string District, string Area)[] JmDistricts =
        [("蓬江区", "440703"), ("江海区", "440704"), ("新会区", "440705"), ("台山市", "440781"), ("开平市", "440783")];
    private static readonly string[] Surnames = ["陈", "李", "黄", "张", "梁", "刘", "林", "何", "吴", "郭", "罗", "周", "谭", "冯", "邓"];
    private static readonly string[] Given = ["明", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "霞", "平", "刚"];
    private static readonly KeyGroup[] Groups =
    [
        KeyGroup.Graduate, KeyGroup.Graduate, KeyGroup.RegisteredUnemployed, KeyGroup.ReturningMigrantFounder, KeyGroup.OnlineMerchant,
        KeyGroup.Veteran, KeyGroup.Farmer, KeyGroup.EmploymentDifficulty, KeyGroup.LiftedOutOfPoverty,
    ];

    private readonly Dictionary<string, DanbaoClient> _as = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _disbursedByBank = new(StringComparer.Ordinal);

    private enum Fate { Performing, Rejected, InPublicity, Overdue, Defaulted }

    private sealed record Plan(int Index, string Bank, string Hrss, string Fund, CreateLoanRequest Request, DateOnly Applied, Fate Fate, int StopAfterInstalments);

    public async Task<int> RunAsync(int count, CancellationToken ct)
    {
        await EnsureInstitutionsAsync(ct);
        var lpr = (await admin.Policy.ListLprRatesAsync(new ListLprRatesRequest(), ct)).Rates
            .Select(r => (From: DateOnly.ParseExact(r.EffectiveFromDate, "yyyy-MM-dd", CultureInfo.InvariantCulture), r.OneYearBp))
            .OrderBy(r => r.From).ToList();
        var plans = PlanLoans(count, lpr);
        await cli.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"{count} loans through the API", maxValue: plans.Count);
                await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (plan, token) =>
                {
                    try
                    {
                        var outcome = await PlayAsync(plan, token);
                        _outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
                    }
                    catch (RpcException e) when (e.StatusCode is not StatusCode.Unavailable and not StatusCode.Unauthenticated and not StatusCode.PermissionDenied)
                    {
                        var key = $"{StatusCodeNames.Of(e.StatusCode)} {e.Reason()}".Trim();
                        if (_refusals.AddOrUpdate(key, 1, (_, c) => c + 1) == 1)
                        {
                            cli.Error.WriteLine($"loan #{plan.Index} ({plan.Bank}): {Program.Describe(e)}");
                        }
                    }
                    task.Increment(1);
                });
            });
        var batch = await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(asOf) }, ct);
        PrintSummary(count, batch);
        return _refusals.IsEmpty ? ExitCodes.Ok : ExitCodes.Refused;
    }

    private async Task EnsureInstitutionsAsync(CancellationToken ct)
    {
        foreach (var (id, name, role, region) in Institutions)
        {
            try
            {
                await admin.Identity.CreateInstitutionAsync(new CreateInstitutionRequest
                {
                    RequestId = DanbaoClient.NewRequestId(), InstitutionId = id,
                    Institution = new Institution { DisplayName = name, Role = role, Region = region },
                }, ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                // Made by an earlier seed or by ./run.sh's demo set: same ids, same roles.
            }
            var key = await admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/" + id, Description = $"demo seed {seed}",
            }, ct);
            _as[id] = cli.ClientWithKey(key.Secret);
        }
    }

    private List<Plan> PlanLoans(int count, IReadOnlyList<(DateOnly From, int Bp)> lpr)
    {
        var random = new Random(seed);
        var plans = new List<Plan>(count);
        var firstDay = asOf.AddDays(-730);
        var lastDay = asOf.AddDays(-14);
        for (var i = 0; i < count; i++)
        {
            var jiangmen = random.NextDouble() < 0.2;
            var region = jiangmen ? "CN-GD-JM" : "CN-GD-GZ";
            var bank = jiangmen ? "jmrcb" : GzBanks[random.Next(GzBanks.Length)];
            var (district, area) = jiangmen ? JmDistricts[random.Next(JmDistricts.Length)] : GzDistricts[random.Next(GzDistricts.Length)];
            // Every 25 applications: one rejected at review, one overdue (the last due instalment unpaid)
            // and one defaulted (unpaid for over 90 days: a compensation claim), whatever the count.
            var fate = (i % 25) switch
            {
                3 => Fate.Rejected,
                8 => Fate.Overdue,
                17 => Fate.Defaulted,
                _ => Fate.Performing,
            };
            // Overdue and defaulted loans are old enough to have missed an instalment.
            var latest = fate is Fate.Overdue or Fate.Defaulted ? asOf.AddDays(-250) : lastDay;
            var applied = firstDay.AddDays(random.Next(Math.Max(1, latest.DayNumber - firstDay.DayNumber + 1)));
            var male = random.NextDouble() < 0.55;
            var age = 22 + random.Next(male ? 36 : 31);
            var birth = applied.AddYears(-age).AddDays(-random.Next(1, 360));
            var hongKong = !jiangmen && random.NextDouble() < 0.02;
            if (hongKong)
            {
                age = Math.Min(age, 40);
                birth = applied.AddYears(-age).AddDays(-random.Next(1, 360));
            }
            var idNumber = IdNumber(hongKong ? "810000" : area, birth, male, i);
            var amount = (5 + random.Next(26)) * 1_000_000L; // 5万 … 30万, in fen
            var term = new[] { 12, 24, 24, 36 }[random.Next(4)];
            var lprOnDay = lpr.LastOrDefault(r => r.From <= applied).Bp;
            var rate = lprOnDay + 10 * random.Next(6); // LPR … LPR+50BP (the Guangdong cap)
            var method = random.NextDouble() < 0.7 ? RepaymentMethod.Bullet : RepaymentMethod.EqualPrincipal;
            if (fate == Fate.Performing && applied > asOf.AddDays(-30) && random.NextDouble() < 0.5)
            {
                fate = Fate.InPublicity;
            }
            var stopAfter = random.Next(0, 4);
            var request = new CreateLoanRequest
            {
                RequestId = RequestId(i, "create"),
                Loan = new Loan
                {
                    Borrower = new Borrower
                    {
                        Type = BorrowerType.Individual,
                        Person = new Person
                        {
                            Name = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)] + (random.NextDouble() < 0.5 ? Given[random.Next(Given.Length)] : ""),
                            IdNumber = idNumber,
                            KeyGroup = hongKong ? KeyGroup.HkMacauTaiwanSelfEmployed : Groups[random.Next(Groups.Length)],
                            Residency = hongKong ? Residency.HongKong : Residency.Mainland,
                        },
                    },
                    AmountFen = amount,
                    TermMonths = term,
                    ContractRateBp = rate,
                    RepaymentMethod = method,
                    ContractDate = Dates.Text(applied),
                    ApplicationDate = Dates.Text(applied),
                    CounterGuarantee = amount > 10_000_000,
                    Region = region,
                    District = district,
                },
            };
            plans.Add(new Plan(i, bank, jiangmen ? "jm-hrss" : "gz-hrss", jiangmen ? "jm-fund" : "gz-fund", request, applied, fate, stopAfter));
        }
        return plans;
    }

    /// <summary>Drives one loan as far as its fate; returns the outcome's name for the summary.</summary>
    private async Task<string> PlayAsync(Plan plan, CancellationToken ct)
    {
        var bank = _as[plan.Bank];
        var hrss = _as[plan.Hrss];
        var fund = _as[plan.Fund];
        var i = plan.Index;
        var loan = await bank.Loans.CreateLoanAsync(plan.Request, ct);
        if (plan.Fate == Fate.Rejected)
        {
            await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
            {
                RequestId = RequestId(i, "review"), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = Dates.Text(plan.Applied.AddDays(1)),
                Reject = true, Reason = "business plan not viable (demo)",
            }, ct);
            return "rejected at review";
        }
        loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
        {
            RequestId = RequestId(i, "review"), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = Dates.Text(Min(plan.Applied.AddDays(1), asOf)),
        }, ct);
        if (loan.State != LoanState.Publicity)
        {
            return "refused at review: " + string.Join(",", loan.FailedRules);
        }
        if (plan.Fate == Fate.InPublicity)
        {
            return "in publicity";
        }
        var concluded = plan.Applied.AddDays(8);
        loan = await hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest
        {
            RequestId = RequestId(i, "conclude"), Name = loan.Name, Etag = loan.Etag, BusinessDate = Dates.Text(concluded),
        }, ct);
        loan = await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = RequestId(i, "dd-fund"), Name = loan.Name, Etag = loan.Etag, Passed = true }, ct);
        loan = await bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = RequestId(i, "dd-bank"), Name = loan.Name, Etag = loan.Etag, Passed = true }, ct);
        loan = await bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = RequestId(i, "approve"), Name = loan.Name, Etag = loan.Etag }, ct);
        loan = await fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest
        {
            RequestId = RequestId(i, "guarantee"), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = Dates.Text(plan.Applied.AddDays(10)),
        }, ct);
        var disbursed = plan.Applied.AddDays(12);
        loan = await bank.Loans.DisburseLoanAsync(new DisburseLoanRequest
        {
            RequestId = RequestId(i, "disburse"), Name = loan.Name, Etag = loan.Etag, DisbursementDate = Dates.Text(disbursed),
        }, ct);
        _disbursedByBank.AddOrUpdate(plan.Bank, loan.AmountFen, (_, s) => s + loan.AmountFen);
        var schedule = await bank.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = loan.Name }, ct);
        var due = schedule.Instalments.Where(x => Day(x.DueDate) <= asOf).ToList();
        var paying = plan.Fate switch
        {
            // Misses the last instalment due by the as-of date…
            Fate.Overdue => Math.Max(0, due.Count - 1),
            // …or stops paying more than 120 days before it: a default the bank can claim compensation for.
            Fate.Defaulted => Math.Max(0, due.Count(x => Day(x.DueDate) < asOf.AddDays(-120)) - 1 - plan.StopAfterInstalments % 2),
            _ => due.Count,
        };
        var settled = false;
        foreach (var instalment in due.Take(paying))
        {
            var paid = await bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest
            {
                RequestId = RequestId(i, "repay-" + instalment.Number), Name = loan.Name,
                AmountFen = instalment.PrincipalDueFen + instalment.InterestDueFen, PaidDate = instalment.DueDate,
            }, ct);
            settled = paid.Settled;
        }
        if (settled)
        {
            return "settled";
        }
        if (paying < due.Count)
        {
            return Day(due[paying].DueDate) < asOf.AddDays(-90) ? "defaulted (>90 days overdue)" : "overdue";
        }
        return "current";
    }

    private void PrintSummary(int count, RunBatchResponse batch)
    {
        var outcomes = new Table().AddColumns("outcome", "loans");
        foreach (var (outcome, n) in _outcomes.OrderByDescending(p => p.Value))
        {
            outcomes.AddRow(Markup.Escape(outcome), $"{n}");
        }
        foreach (var (reason, n) in _refusals.OrderByDescending(p => p.Value))
        {
            outcomes.AddRow("REFUSED " + Markup.Escape(reason), $"{n}");
        }
        cli.Out.WriteLine($"Demo data, seed {seed}, {count} applications up to {Dates.Text(asOf)}:");
        cli.Console.Write(outcomes);
        var banks = new Table().AddColumns("bank", "disbursed (yuan)");
        foreach (var (bank, fen) in _disbursedByBank.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            banks.AddRow(bank, Dates.Yuan(fen));
        }
        cli.Console.Write(banks);
        cli.Out.WriteLine($"Batch {batch.BusinessDate}: {batch.LoansMarkedOverdue} marked overdue, {batch.LoansBackToCurrent} back to current, {batch.PublicitiesEnded} publicities ended.");
        if (!_refusals.IsEmpty)
        {
            cli.Out.WriteLine($"{_refusals.Values.Sum()} loans were refused part-way (see above).");
        }
    }

    /// <summary>Deterministic: the same seed, as-of date, loan and step always give the same id.</summary>
    private string RequestId(int index, string step)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"danbao-demo/{seed}/{Dates.Text(asOf)}/{index}/{step}"));
        return new Guid(hash.AsSpan(0, 16)).ToString("N");
    }

    /// <summary>A valid 18-digit resident ID number, unique per loan index (sequence digits from the index).</summary>
    private static string IdNumber(string area, DateOnly birth, bool male, int index)
    {
        var order = (index % 500) * 2 + (male ? 1 : 0);
        var first17 = area + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + order.ToString("000", CultureInfo.InvariantCulture);
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
