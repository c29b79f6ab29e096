using System.Collections.Concurrent;
using System.Globalization;
using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;

namespace Danbao.Cli.Commands;

/// <summary>What a demo year did, for the summary and the tests.</summary>
public sealed record DemoYearSummary(
    DateOnly From, DateOnly Until, int BusinessDays, IReadOnlyDictionary<string, int> LoansByType, int Disbursed, int Defaulted,
    int ClaimsPaid, int Recoveries, int SubsidyClaimsSettled, long SubsidyPaidFen, long AwardsFen, IReadOnlyList<string> Refusals);

/// <summary>
/// `danbao demo year`: a sandbox's year through the public API, the business date advanced day by day to
/// whatever happens next. Loans of every borrower type (individual, partnership, enterprise, HK/Macau youth)
/// apply over the first eight months and go through review, publicity, due diligence, guarantee and
/// disbursement; they repay every instalment on its due date, except one in ten (applied early enough),
/// which never pays: more than 90 days overdue the bank claims compensation, HRSS, finance and PBOC consent,
/// the fund pays and two months later recovers 40% of the base. In the month after each quarter the banks
/// file their subsidy claims (half the interest their borrowers paid) and the finance bureaus review and
/// settle them; after 31 December the bureaus award the finished year.
/// </summary>
internal sealed class DemoYear(CliContext cli, DanbaoClient admin, DateOnly from, int loanCount, int concurrency)
{
    private static readonly string[] GzBanks = ["icbc-gz", "ccb-gz", "boc-gz", "gzrcb"];
    private static readonly string[] Surnames = ["陈", "李", "黄", "张", "梁", "刘", "林", "何", "吴", "郭"];
    private static readonly string[] Given = ["明", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇"];

    private enum Step { Apply, Conclude, Guarantee, Repay, Claim, Recover, Done }

    /// <summary>One loan's walk: its plan, where it is and when its next step falls due.</summary>
    private sealed class Walk(int index, string bank, string region, CreateLoanRequest request, bool defaults)
    {
        public int Index { get; } = index;
        public string Bank { get; } = bank;
        public string Region { get; } = region;
        public CreateLoanRequest Request { get; } = request;
        public bool Defaults { get; } = defaults;
        public Step Step { get; set; } = Step.Apply;
        public DateOnly Next { get; set; } = DateOnly.ParseExact(request.Loan.ApplicationDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        public Loan Loan { get; set; } = null!;
        public Queue<Instalment> Instalments { get; } = new();
        public Claim? Claim { get; set; }
        public string Fund => Region == "CN-GD-JM" ? "jm-fund" : "gz-fund";
        public string Hrss => Region == "CN-GD-JM" ? "jm-hrss" : "gz-hrss";
        public string Finance => Region == "CN-GD-JM" ? "jm-finance" : "gz-finance";
    }

    /// <summary>Interest a borrower paid on a date, for the bank's subsidy claim.</summary>
    private sealed record Paid(string Bank, string Loan, DateOnly Date, long InterestFen);

    private readonly ConcurrentBag<Paid> _paid = [];
    private readonly ConcurrentQueue<string> _refusals = new();
    private Dictionary<string, DanbaoClient> _as = null!;
    private int _claimsPaid;
    private int _recoveries;
    private int _subsidySettled;
    private long _subsidyPaidFen;
    private long _awardsFen;

    /// <summary>Loan steps happen in [from, from + 1 year); the claims and awards after it.</summary>
    private DateOnly YearEnd => from.AddYears(1);

    public async Task<DemoYearSummary> RunAsync(CancellationToken ct)
    {
        _as = await DemoSeeder.EnsureInstitutionsAsync(cli, admin, $"demo year {Dates.Text(from)}", ct);
        await AdvanceAsync(from, ct);
        var lpr = (await admin.Policy.ListLprRatesAsync(new ListLprRatesRequest(), cancellationToken: ct)).Rates
            .Select(r => (From: Day(r.EffectiveFromDate), r.OneYearBp)).OrderBy(r => r.From).ToList();
        var walks = Plan(lpr);
        await CapitaliseAsync(walks, ct);
        var events = CalendarEvents();
        var days = 0;
        var today = from;
        while (true)
        {
            var pending = walks.Where(w => w.Step != Step.Done).Select(w => w.Next).Concat(events.Keys).ToList();
            if (pending.Count == 0)
            {
                break;
            }
            var next = pending.Min();
            if (next > today)
            {
                await AdvanceAsync(next, ct);
                today = next;
            }
            days++;
            await admin.Batch.RunBatchAsync(new RunBatchRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(today) }, cancellationToken: ct);
            await Parallel.ForEachAsync(walks.Where(w => w.Step != Step.Done && w.Next <= today).ToList(),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
                async (walk, token) => await StepAsync(walk, today, token));
            foreach (var due in events.Keys.Where(d => d <= today).ToList())
            {
                foreach (var action in events[due])
                {
                    await action(today, ct);
                }
                events.Remove(due);
            }
        }
        return new DemoYearSummary(from, today, days,
            walks.GroupBy(w => w.Request.Loan.Borrower.Type == BorrowerType.Individual && w.Request.Loan.Borrower.Person.Residency == Residency.HongKong
                    ? "HK_MACAU_YOUTH" : w.Request.Loan.Borrower.Type.ToString().ToUpperInvariant())
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            walks.Count(w => w.Loan?.DisbursementDate is { Length: > 0 }), walks.Count(w => w.Defaults && w.Claim is not null),
            _claimsPaid, _recoveries, _subsidySettled, _subsidyPaidFen, _awardsFen, [.. _refusals]);
    }

    private async Task AdvanceAsync(DateOnly to, CancellationToken ct) =>
        await admin.Admin.AdvanceBusinessDateAsync(new AdvanceBusinessDateRequest { RequestId = DanbaoClient.NewRequestId(), BusinessDate = Dates.Text(to) }, cancellationToken: ct);

    /// <summary>
    /// Applications spread over the first 240 days; one in five in Jiangmen. By index: individuals (three in six),
    /// a partnership, an enterprise and HK/Macau youth (Guangzhou); one in ten applied by day 150 never pays.
    /// </summary>
    private List<Walk> Plan(IReadOnlyList<(DateOnly From, int Bp)> lpr)
    {
        var walks = new List<Walk>(loanCount);
        for (var i = 0; i < loanCount; i++)
        {
            var applied = from.AddDays(i * 240 / loanCount);
            var jiangmen = i % 5 == 4;
            var region = jiangmen ? "CN-GD-JM" : "CN-GD-GZ";
            var bank = jiangmen ? "jmrcb" : GzBanks[i % GzBanks.Length];
            var kind = i % 6;
            var hongKong = kind == 5 && !jiangmen;
            var person = Person(i, applied, hongKong ? "810000" : jiangmen ? "440703" : "440106", hongKong);
            var borrower = new Borrower { Type = BorrowerType.Individual, Person = person };
            var amount = (10 + i % 20) * 1_000_000L; // 10万 … 29万
            var term = 24;
            if (kind == 3)
            {
                borrower.Type = BorrowerType.Partnership;
                borrower.Partners.Add(Person(i + 10_000, applied, jiangmen ? "440703" : "440106", false));
                borrower.Partners.Add(Person(i + 20_000, applied, jiangmen ? "440703" : "440106", false));
                amount = 50_000_000;
                term = 36;
            }
            else if (kind == 4)
            {
                borrower.Type = BorrowerType.Enterprise;
                borrower.Enterprise = new Enterprise
                {
                    Name = $"{(jiangmen ? "江门" : "广州")}示范小微企业{i + 1}号有限公司",
                    CreditCode = string.Create(CultureInfo.InvariantCulture, $"914401{from.Year % 100:00}MA5Y{i:000000}"),
                    StaffCount = 20, KeyGroupHires = 4, RegisteredInGuangdong = true,
                };
                amount = 100_000_000;
            }
            var request = new CreateLoanRequest
            {
                RequestId = DanbaoClient.NewRequestId(),
                Loan = new Loan
                {
                    Borrower = borrower,
                    AmountFen = amount,
                    TermMonths = term,
                    ContractRateBp = lpr.LastOrDefault(r => r.From <= applied).Bp + 30,
                    RepaymentMethod = i % 3 == 1 ? RepaymentMethod.EqualPrincipal : RepaymentMethod.Bullet,
                    ContractDate = Dates.Text(applied),
                    ApplicationDate = Dates.Text(applied),
                    CounterGuarantee = amount > 10_000_000 || kind == 4,
                    Region = region,
                    District = jiangmen ? "蓬江区" : "天河区",
                },
            };
            walks.Add(new Walk(i, bank, region, request, defaults: i % 10 == 7 && applied <= from.AddDays(150)));
        }
        return walks;
    }

    private static Person Person(int index, DateOnly applied, string area, bool hongKong)
    {
        var male = index % 2 == 0;
        var birth = applied.AddYears(-(26 + index % 14)).AddDays(-(index % 300));
        return new Person
        {
            Name = Surnames[index % Surnames.Length] + Given[index % Given.Length] + Given[(index / Given.Length) % Given.Length],
            IdNumber = DemoSeeder.IdNumber(area, birth, male, index),
            KeyGroup = hongKong ? KeyGroup.HkMacauTaiwanSelfEmployed : (index % 3) switch { 0 => KeyGroup.Graduate, 1 => KeyGroup.RegisteredUnemployed, _ => KeyGroup.Veteran },
            Residency = hongKong ? Residency.HongKong : Residency.Mainland,
        };
    }

    /// <summary>Each bureau puts a fifth of its region's planned lending (leverage 5×) and a margin into its fund.</summary>
    private async Task CapitaliseAsync(IReadOnlyList<Walk> walks, CancellationToken ct)
    {
        foreach (var (fund, finance, region) in new[] { ("gz-fund", "gz-finance", "CN-GD-GZ"), ("jm-fund", "jm-finance", "CN-GD-JM") })
        {
            var lending = walks.Where(w => w.Region == region).Sum(w => w.Request.Loan.AmountFen);
            await _as[finance].Fund.ContributeCapitalAsync(new ContributeCapitalRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Fund = "institutions/" + fund, AmountFen = (lending / 5 / 1_000_000 + 10) * 1_000_000,
                FundingSource = FundingSource.FinanceCapital, ContributionDate = Dates.Text(from), Reference = $"demo year {Dates.Text(from)}",
            }, cancellationToken: ct);
        }
    }

    /// <summary>One step of a loan on today's business date; a refusal ends the loan's walk and is reported.</summary>
    private async Task StepAsync(Walk walk, DateOnly today, CancellationToken ct)
    {
        var bank = _as[walk.Bank];
        var on = Dates.Text(today);
        try
        {
            switch (walk.Step)
            {
                case Step.Apply:
                    walk.Loan = await bank.Loans.CreateLoanAsync(walk.Request, cancellationToken: ct);
                    walk.Loan = await _as[walk.Hrss].Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, PublicityStartDate = on,
                    }, cancellationToken: ct);
                    if (walk.Loan.State != LoanState.Publicity)
                    {
                        Refused(walk, $"review: {walk.Loan.State} {string.Join(",", walk.Loan.FailedRules)}");
                        return;
                    }
                    (walk.Step, walk.Next) = (Step.Conclude, today.AddDays(5));
                    return;
                case Step.Conclude:
                    // Today's batch may have ended the publicity already (it ends those whose days are over).
                    walk.Loan = await bank.Loans.GetLoanAsync(new GetLoanRequest { Name = walk.Loan.Name }, cancellationToken: ct);
                    try
                    {
                        if (walk.Loan.State == LoanState.Publicity)
                        {
                            walk.Loan = await _as[walk.Hrss].Loans.ConcludePublicityAsync(new ConcludePublicityRequest
                            {
                                RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, BusinessDate = on,
                            }, cancellationToken: ct);
                        }
                    }
                    catch (RpcException e) when (e.Reason() == "PUBLICITY_NOT_ENDED")
                    {
                        walk.Next = today.AddDays(1); // publicity in working days may span a holiday: try again tomorrow
                        return;
                    }
                    walk.Loan = await _as[walk.Fund].Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, Passed = true }, cancellationToken: ct);
                    walk.Loan = await bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, Passed = true }, cancellationToken: ct);
                    walk.Loan = await bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag }, cancellationToken: ct);
                    (walk.Step, walk.Next) = (Step.Guarantee, today.AddDays(2));
                    return;
                case Step.Guarantee:
                    walk.Loan = await _as[walk.Fund].Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest { RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, GuaranteeDate = on }, cancellationToken: ct);
                    walk.Loan = await bank.Loans.DisburseLoanAsync(new DisburseLoanRequest { RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, Etag = walk.Loan.Etag, DisbursementDate = on }, cancellationToken: ct);
                    var schedule = await bank.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = walk.Loan.Name }, cancellationToken: ct);
                    foreach (var instalment in schedule.Instalments.OrderBy(x => x.Number))
                    {
                        walk.Instalments.Enqueue(instalment);
                    }
                    NextInstalment(walk);
                    return;
                case Step.Repay:
                    var due = walk.Instalments.Dequeue();
                    var paid = await bank.Loans.RecordRepaymentAsync(new RecordRepaymentRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = walk.Loan.Name, AmountFen = due.PrincipalDueFen + due.InterestDueFen, PaidDate = on,
                    }, cancellationToken: ct);
                    _paid.Add(new Paid(walk.Bank, walk.Loan.Name, today, paid.InterestFen));
                    NextInstalment(walk);
                    return;
                case Step.Claim:
                    var claim = await bank.Fund.FileClaimAsync(new FileClaimRequest { RequestId = DanbaoClient.NewRequestId(), Loan = walk.Loan.Name, ClaimDate = on }, cancellationToken: ct);
                    foreach (var who in new[] { walk.Hrss, walk.Finance, walk.Fund })
                    {
                        claim = await _as[who].Fund.RecordClaimConsentAsync(new RecordClaimConsentRequest
                        {
                            RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Stage = ConsentStage.ConsentCompensation,
                            Reference = $"demo consent {who} {walk.Index}", ConsentDate = on,
                        }, cancellationToken: ct);
                    }
                    walk.Claim = await _as[walk.Fund].Fund.ApproveClaimAsync(new ApproveClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag, DecidedDate = on }, cancellationToken: ct);
                    Interlocked.Increment(ref _claimsPaid);
                    (walk.Step, walk.Next) = (Step.Recover, today.AddDays(60));
                    Stop(walk);
                    return;
                case Step.Recover:
                    walk.Claim = await _as[walk.Fund].Fund.RecordRecoveryAsync(new RecordRecoveryRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = walk.Claim!.Name, GrossFen = walk.Claim.BaseFen * 2 / 5, CostsFen = 0, RecoveredDate = on,
                    }, cancellationToken: ct);
                    Interlocked.Increment(ref _recoveries);
                    walk.Step = Step.Done;
                    return;
            }
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Unavailable and not StatusCode.Unauthenticated and not StatusCode.Cancelled)
        {
            Refused(walk, $"{walk.Step}: {Program.Describe(e)}");
        }
    }

    /// <summary>The next instalment due within the year, or the default's claim date (more than 90 days after the first one missed).</summary>
    private void NextInstalment(Walk walk)
    {
        if (walk.Instalments.Count == 0)
        {
            walk.Step = Step.Done;
            return;
        }
        var due = Day(walk.Instalments.Peek().DueDate);
        (walk.Step, walk.Next) = walk.Defaults ? (Step.Claim, due.AddDays(95)) : (Step.Repay, due);
        Stop(walk);
    }

    /// <summary>Loans stop where the year ends; a step after it is not taken.</summary>
    private void Stop(Walk walk)
    {
        if (walk.Next >= YearEnd)
        {
            walk.Step = Step.Done;
        }
    }

    private void Refused(Walk walk, string what)
    {
        _refusals.Enqueue($"loan #{walk.Index} ({walk.Bank}, {walk.Request.Loan.Borrower.Type}) {what}");
        cli.Error.WriteLine($"demo year: loan #{walk.Index} ({walk.Bank}) refused at {what}");
        walk.Step = Step.Done;
    }

    /// <summary>Subsidy filing (the 10th) and settlement (the 15th) of the month after each quarter of the year; the awards on 20 January.</summary>
    private SortedDictionary<DateOnly, List<Func<DateOnly, CancellationToken, Task>>> CalendarEvents()
    {
        var events = new SortedDictionary<DateOnly, List<Func<DateOnly, CancellationToken, Task>>>();
        void Add(DateOnly day, Func<DateOnly, CancellationToken, Task> action)
        {
            if (!events.TryGetValue(day, out var list))
            {
                events[day] = list = [];
            }
            list.Add(action);
        }
        for (var quarter = new DateOnly(from.Year, (from.Month - 1) / 3 * 3 + 1, 1); quarter < YearEnd; quarter = quarter.AddMonths(3))
        {
            var start = quarter;
            var name = $"{start.Year}-Q{(start.Month + 2) / 3}";
            Add(start.AddMonths(3).AddDays(9), (today, ct) => FileSubsidyAsync(name, start, today, ct));
            Add(start.AddMonths(3).AddDays(14), (today, ct) => SettleSubsidyAsync(name, today, ct));
        }
        Add(new DateOnly(from.Year + 1, 1, 20), (today, ct) => AwardAsync(from.Year, today, ct));
        return events;
    }

    private async Task FileSubsidyAsync(string quarter, DateOnly start, DateOnly today, CancellationToken ct)
    {
        var end = start.AddMonths(3);
        foreach (var bank in _paid.Where(p => p.Date >= start && p.Date < end && p.InterestFen > 0).GroupBy(p => p.Bank).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            try
            {
                var client = _as[bank.Key];
                var claim = await client.Subsidy.CreateSubsidyClaimAsync(new CreateSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Quarter = quarter }, cancellationToken: ct);
                var lines = new AddSubsidyClaimLinesRequest { RequestId = DanbaoClient.NewRequestId(), Claim = claim.Name };
                lines.Lines.AddRange(bank.GroupBy(p => p.Loan).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new SubsidyClaimLineInput
                {
                    Loan = g.Key, InterestPaidFen = g.Sum(p => p.InterestFen), SubsidyClaimedFen = (g.Sum(p => p.InterestFen) + 1) / 2,
                }));
                claim = (await client.Subsidy.AddSubsidyClaimLinesAsync(lines, cancellationToken: ct)).Claim;
                await client.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag }, cancellationToken: ct);
            }
            catch (RpcException e) when (e.StatusCode is not StatusCode.Unavailable and not StatusCode.Unauthenticated)
            {
                _refusals.Enqueue($"subsidy claim {quarter} {bank.Key}: {Program.Describe(e)}");
            }
        }
    }

    private async Task SettleSubsidyAsync(string quarter, DateOnly today, CancellationToken ct)
    {
        foreach (var finance in new[] { "gz-finance", "jm-finance" })
        {
            var client = _as[finance];
            var list = new ListSubsidyClaimsRequest { Quarter = quarter, PageSize = 500 };
            do
            {
                var page = await client.Subsidy.ListSubsidyClaimsAsync(list, cancellationToken: ct);
                foreach (var submitted in page.Claims.Where(c => c.State == SubsidyClaimState.SubsidyClaimSubmitted))
                {
                    var reviewed = await client.Subsidy.ReviewSubsidyClaimAsync(new ReviewSubsidyClaimRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = submitted.Name, Etag = submitted.Etag, ApproveAll = true,
                    }, cancellationToken: ct);
                    var settled = await client.Subsidy.SettleSubsidyClaimAsync(new SettleSubsidyClaimRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = reviewed.Name, Etag = reviewed.Etag, BusinessDate = Dates.Text(today),
                    }, cancellationToken: ct);
                    _subsidySettled++;
                    _subsidyPaidFen += settled.ApprovedSubsidyFen;
                }
                list.PageToken = page.NextPageToken;
            }
            while (list.PageToken.Length > 0);
        }
    }

    /// <summary>Each bureau awards its region's banks and fund for the finished year: the proposal pro rata to new lending, every score 90%.</summary>
    private async Task AwardAsync(int year, DateOnly today, CancellationToken ct)
    {
        foreach (var (finance, region) in new[] { ("gz-finance", "CN-GD-GZ"), ("jm-finance", "CN-GD-JM") })
        {
            var client = _as[finance];
            var propose = new ProposeAwardsRequest { Region = region, Year = year };
            propose.Scores.AddRange(DemoSeeder.Institutions.Where(x => x.Region == region && x.Role is Role.Bank or Role.FundOperator)
                .Select(x => new AwardScore { Institution = "institutions/" + x.Id, ScoreBp = 9000 }));
            var proposal = await client.Awards.ProposeAwardsAsync(propose, cancellationToken: ct);
            var approve = new ApproveAwardsRequest { RequestId = DanbaoClient.NewRequestId(), Region = region, Year = year, BusinessDate = Dates.Text(today) };
            approve.Awards.AddRange(proposal.Lines.Select(l => new AwardAmount { Institution = l.Institution, AmountFen = l.AmountFen, ScoreBp = l.ScoreBp }));
            try
            {
                _awardsFen += (await client.Awards.ApproveAwardsAsync(approve, cancellationToken: ct)).TotalFen;
            }
            catch (RpcException e) when (e.Reason() == "AWARD_ALREADY_APPROVED")
            {
                _refusals.Enqueue($"awards {region} {year}: already approved");
            }
        }
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
