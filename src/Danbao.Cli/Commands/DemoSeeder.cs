using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Danbao.Client;
using Danbao.Contracts.V1;
using ResidentIdNumber = Danbao.Domain.Borrowers.ResidentIdNumber;
using Grpc.Core;
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
    private readonly ConcurrentBag<Paid> _paid = [];
    private readonly ConcurrentBag<(Plan Plan, string Loan)> _defaulted = [];
    private readonly List<string> _notes = [];

    /// <summary>Interest a borrower paid on a date (for the subsidy claim lines).</summary>
    private sealed record Paid(string Bank, string Loan, DateOnly Date, long InterestFen);

    private enum Fate { Performing, Rejected, InPublicity, Overdue, Defaulted }

    private sealed record Plan(int Index, string Bank, string Hrss, string Fund, CreateLoanRequest Request, DateOnly Applied, Fate Fate, int StopAfterInstalments);

    public async Task<int> RunAsync(int count, CancellationToken ct)
    {
        await EnsureInstitutionsAsync(ct);
        var lpr = (await admin.Policy.ListLprRatesAsync(new ListLprRatesRequest(), cancellationToken: ct)).Rates
            .Select(r => (From: DateOnly.ParseExact(r.EffectiveFromDate, "yyyy-MM-dd", CultureInfo.InvariantCulture), r.OneYearBp))
            .OrderBy(r => r.From).ToList();
        var plans = PlanLoans(count, lpr);
        await ContributeCapitalAsync(plans, ct);
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
                        var key = $"{e.StatusName()} {e.Reason()}".Trim();
                        if (_refusals.AddOrUpdate(key, 1, (_, c) => c + 1) == 1)
                        {
                            cli.Error.WriteLine($"loan #{plan.Index} ({plan.Bank}): {Program.Describe(e)}");
                        }
                    }
                    task.Increment(1);
                });
            });
        var batch = await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(asOf) }, cancellationToken: ct);
        await CompensationClaimsAsync(ct);
        await SubsidyClaimsAsync(ct);
        PrintSummary(count, batch);
        return _refusals.IsEmpty ? ExitCodes.Ok : ExitCodes.Refused;
    }

    private async Task EnsureInstitutionsAsync(CancellationToken ct)
    {
        foreach (var (id, client) in await EnsureInstitutionsAsync(cli, admin, $"demo seed {seed}", ct))
        {
            _as[id] = client;
        }
    }

    /// <summary>Creates the demo institutions that are missing and a fresh key for each; a client per institution.</summary>
    internal static async Task<Dictionary<string, DanbaoClient>> EnsureInstitutionsAsync(CliContext cli, DanbaoClient admin, string description, CancellationToken ct)
    {
        var clients = new Dictionary<string, DanbaoClient>(StringComparer.Ordinal);
        foreach (var (id, name, role, region) in Institutions)
        {
            try
            {
                await admin.Identity.CreateInstitutionAsync(new CreateInstitutionRequest
                {
                    RequestId = DanbaoClient.NewRequestId(), InstitutionId = id,
                    Institution = new Institution { DisplayName = name, Role = role, Region = region },
                }, cancellationToken: ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                // Made by an earlier seed or by ./run.sh's demo set: same ids, same roles.
            }
            var key = await admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/" + id, Description = description,
            }, cancellationToken: ct);
            clients[id] = cli.ClientWithKey(key.Secret);
        }
        return clients;
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
        var loan = await bank.Loans.CreateLoanAsync(plan.Request, cancellationToken: ct);
        if (plan.Fate == Fate.Rejected)
        {
            await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
            {
                RequestId = RequestId(i, "review"), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = Dates.Text(plan.Applied.AddDays(1)),
                Reject = true, Reason = "business plan not viable (demo)",
            }, cancellationToken: ct);
            return "rejected at review";
        }
        loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
        {
            RequestId = RequestId(i, "review"), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = Dates.Text(Min(plan.Applied.AddDays(1), asOf)),
        }, cancellationToken: ct);
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
        }, cancellationToken: ct);
        loan = await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = RequestId(i, "dd-fund"), Name = loan.Name, Etag = loan.Etag, Passed = true }, cancellationToken: ct);
        loan = await bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = RequestId(i, "dd-bank"), Name = loan.Name, Etag = loan.Etag, Passed = true }, cancellationToken: ct);
        loan = await bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = RequestId(i, "approve"), Name = loan.Name, Etag = loan.Etag }, cancellationToken: ct);
        loan = await fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest
        {
            RequestId = RequestId(i, "guarantee"), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = Dates.Text(plan.Applied.AddDays(10)),
        }, cancellationToken: ct);
        var disbursed = plan.Applied.AddDays(12);
        loan = await bank.Loans.DisburseLoanAsync(new DisburseLoanRequest
        {
            RequestId = RequestId(i, "disburse"), Name = loan.Name, Etag = loan.Etag, DisbursementDate = Dates.Text(disbursed),
        }, cancellationToken: ct);
        _disbursedByBank.AddOrUpdate(plan.Bank, loan.AmountFen, (_, s) => s + loan.AmountFen);
        var schedule = await bank.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = loan.Name }, cancellationToken: ct);
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
            }, cancellationToken: ct);
            settled = paid.Settled;
            _paid.Add(new Paid(plan.Bank, loan.Name, Day(instalment.DueDate), paid.InterestFen));
        }
        if (settled)
        {
            return "settled";
        }
        if (paying < due.Count)
        {
            if (Day(due[paying].DueDate) < asOf.AddDays(-91))
            {
                _defaulted.Add((plan, loan.Name));
                return "defaulted (>90 days overdue)";
            }
            return "overdue";
        }
        return "current";
    }

    /// <summary>Each finance bureau capitalises its fund before the first guarantee: 1/5 of the region's planned lending (leverage 5×) plus a margin.</summary>
    private async Task ContributeCapitalAsync(IReadOnlyList<Plan> plans, CancellationToken ct)
    {
        foreach (var (fund, finance, region) in new[] { ("gz-fund", "gz-finance", "CN-GD-GZ"), ("jm-fund", "jm-finance", "CN-GD-JM") })
        {
            var lending = plans.Where(p => p.Request.Loan.Region == region).Sum(p => p.Request.Loan.AmountFen);
            var amount = (lending / 5 * 5 / 4 / 1_000_000 + 1) * 1_000_000 + 100_000_000;
            var contribution = await _as[finance].Fund.ContributeCapitalAsync(new ContributeCapitalRequest
            {
                RequestId = RequestId(-1, "capital-" + fund), Fund = "institutions/" + fund, AmountFen = amount,
                FundingSource = FundingSource.FinanceCapital, ContributionDate = Dates.Text(asOf.AddDays(-731)), Reference = $"demo capital (seed {seed})",
            }, cancellationToken: ct);
            _notes.Add($"{finance} contributed {Amounts.Yuan(contribution.AmountFen)} yuan to {fund} (balance {Amounts.Yuan(contribution.FundBalanceFen)}).");
        }
    }

    /// <summary>Banks claim compensation for their defaulted loans; HRSS, finance and PBOC consent; the operator pays two claims in three.</summary>
    private async Task CompensationClaimsAsync(CancellationToken ct)
    {
        var defaulted = _defaulted.OrderBy(d => d.Plan.Index).ToList();
        var filed = 0;
        var paid = 0;
        var fundFen = 0L;
        await Parallel.ForEachAsync(defaulted, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (item, token) =>
        {
            var (plan, name) = item;
            var i = plan.Index;
            try
            {
                var claim = await _as[plan.Bank].Fund.FileClaimAsync(new FileClaimRequest { RequestId = RequestId(i, "claim"), Loan = name, ClaimDate = Dates.Text(asOf) }, cancellationToken: token);
                Interlocked.Increment(ref filed);
                if (i % 3 == 2)
                {
                    return; // left in the operator's pipeline
                }
                var finance = plan.Fund == "gz-fund" ? "gz-finance" : "jm-finance";
                foreach (var (who, step) in new[] { (plan.Hrss, "consent-hrss"), (finance, "consent-finance"), (plan.Fund, "consent-pboc") })
                {
                    claim = await _as[who].Fund.RecordClaimConsentAsync(new RecordClaimConsentRequest
                    {
                        RequestId = RequestId(i, step), Name = claim.Name, Stage = ConsentStage.ConsentCompensation,
                        Reference = $"demo {step} {i}", ConsentDate = Dates.Text(asOf),
                    }, cancellationToken: token);
                }
                claim = await _as[plan.Fund].Fund.ApproveClaimAsync(new ApproveClaimRequest { RequestId = RequestId(i, "claim-approve"), Name = claim.Name, Etag = claim.Etag, DecidedDate = Dates.Text(asOf) }, cancellationToken: token);
                Interlocked.Increment(ref paid);
                Interlocked.Add(ref fundFen, claim.FundFen);
            }
            catch (RpcException e) when (e.StatusCode is not StatusCode.Unavailable and not StatusCode.Unauthenticated and not StatusCode.PermissionDenied)
            {
                var key = $"claim: {e.StatusName()} {e.Reason()}".Trim();
                if (_refusals.AddOrUpdate(key, 1, (_, c) => c + 1) == 1)
                {
                    cli.Error.WriteLine($"claim for loan #{i} ({plan.Bank}): {Program.Describe(e)}");
                }
            }
        });
        _notes.Add($"Compensation claims: {filed} filed by the banks for loans over 90 days overdue, {paid} paid (fund share {Amounts.Yuan(fundFen)} yuan), {filed - paid} left pending.");
    }

    /// <summary>
    /// Each bank claims the subsidy for the last full quarter on or before the as-of date: one line per loan
    /// whose borrower paid interest in that quarter, asking for half the interest (the V3 formula). Claims are
    /// filed only in the month after the quarter (the server's today decides); outside it the step is skipped.
    /// </summary>
    private async Task SubsidyClaimsAsync(CancellationToken ct)
    {
        var quarterEnd = new DateOnly(asOf.Year, (asOf.Month - 1) / 3 * 3 + 1, 1).AddDays(-1);
        if (asOf == new DateOnly(asOf.Year, (asOf.Month - 1) / 3 * 3 + 1, 1).AddMonths(3).AddDays(-1))
        {
            quarterEnd = asOf;
        }
        var quarterStart = new DateOnly(quarterEnd.Year, quarterEnd.Month, 1).AddMonths(-2);
        var quarter = $"{quarterEnd.Year}-Q{(quarterEnd.Month + 2) / 3}";
        var byBank = _paid.Where(p => p.Date >= quarterStart && p.Date <= quarterEnd && p.InterestFen > 0)
            .GroupBy(p => p.Bank).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var lines = 0;
        foreach (var bank in byBank)
        {
            var client = _as[bank.Key];
            SubsidyClaim claim;
            try
            {
                claim = await client.Subsidy.CreateSubsidyClaimAsync(new CreateSubsidyClaimRequest { RequestId = RequestId(-2, $"subsidy-{bank.Key}-{quarter}"), Quarter = quarter }, cancellationToken: ct);
            }
            catch (RpcException e) when (e.Reason() == "SUBSIDY_CLAIM_WINDOW_CLOSED")
            {
                _notes.Add($"Subsidy claims for {quarter} skipped: {e.Status.Detail}");
                return;
            }
            var inputs = bank.GroupBy(p => p.Loan).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new SubsidyClaimLineInput { Loan = g.Key, InterestPaidFen = g.Sum(p => p.InterestFen), SubsidyClaimedFen = (g.Sum(p => p.InterestFen) + 1) / 2 })
                .ToList();
            if (claim.State == SubsidyClaimState.SubsidyClaimDraft)
            {
                var part = 0;
                foreach (var chunk in inputs.Chunk(10_000))
                {
                    var request = new AddSubsidyClaimLinesRequest { RequestId = RequestId(-2, $"subsidy-lines-{bank.Key}-{quarter}-{part++}"), Claim = claim.Name };
                    request.Lines.AddRange(chunk);
                    claim = (await client.Subsidy.AddSubsidyClaimLinesAsync(request, cancellationToken: ct)).Claim;
                }
                claim = await client.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest { RequestId = RequestId(-2, $"subsidy-submit-{bank.Key}-{quarter}"), Name = claim.Name, Etag = claim.Etag }, cancellationToken: ct);
            }
            lines += claim.LineCount;
        }
        _notes.Add(byBank.Count == 0
            ? $"No interest was paid in {quarter}: no subsidy claims."
            : $"Subsidy claims for {quarter}: {byBank.Count} banks, {lines} lines, submitted for the finance bureaus to settle (danbao subsidy settle).");
    }

    private void PrintSummary(int count, RunBatchResponse batch)
    {
        var outcomes = new Report("outcome", "loans");
        foreach (var (outcome, n) in _outcomes.OrderByDescending(p => p.Value))
        {
            outcomes.AddRow(Markup.Escape(outcome), $"{n}");
        }
        foreach (var (reason, n) in _refusals.OrderByDescending(p => p.Value))
        {
            outcomes.AddRow("REFUSED " + Markup.Escape(reason), $"{n}");
        }
        cli.Out.WriteLine($"Demo data, seed {seed}, {count} applications up to {Dates.Text(asOf)}:");
        outcomes.Write(cli);
        var banks = new Report("bank", "disbursed (yuan)");
        foreach (var (bank, fen) in _disbursedByBank.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            banks.AddRow(bank, Amounts.Yuan(fen));
        }
        banks.Write(cli);
        cli.Out.WriteLine($"Batch {batch.BusinessDate}: {batch.LoansMarkedOverdue} marked overdue, {batch.LoansBackToCurrent} back to current, {batch.PublicitiesEnded} publicities ended.");
        foreach (var note in _notes)
        {
            cli.Out.WriteLine(note);
        }
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
    internal static string IdNumber(string area, DateOnly birth, bool male, int index)
    {
        var order = (index % 500) * 2 + (male ? 1 : 0);
        var first17 = area + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + order.ToString("000", CultureInfo.InvariantCulture);
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
