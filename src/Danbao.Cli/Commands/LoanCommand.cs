using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;
using Google.Protobuf;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>
/// `danbao loan …`: a loan's life step by step, one RPC each, with the key of whoever takes the step
/// (the quick start in the README). State changes send the etag of the loan as read just before.
/// </summary>
internal static class LoanCommand
{
    public static Command Build(CliContext cli)
    {
        var loan = new Command("loan", "A loan's life, one step per command: create, review, conclude-publicity, due-diligence, approve, guarantee, disburse, repay, show");
        loan.Add(Create(cli));
        loan.Add(Step(cli, "review", "Eligibility review (资格审核); an eligible borrower goes into publicity (公示). Key role: EMPLOYMENT_SERVICE",
            [Opt("--publicity-start", "Publicity start date YYYY-MM-DD (default the server's today)"), Opt("--reject", "Reject with this reason instead")],
            async (client, l, o, ct) => await client.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag, PublicityStartDate = o("--publicity-start"),
                Reject = o("--reject").Length > 0, Reason = o("--reject"),
            }, cancellationToken: ct)));
        loan.Add(Step(cli, "conclude-publicity", "End the publicity once its days have passed. Key role: EMPLOYMENT_SERVICE",
            [Opt("--date", "Business date YYYY-MM-DD (default the server's today)")],
            async (client, l, o, ct) => await client.Loans.ConcludePublicityAsync(new ConcludePublicityRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag, BusinessDate = o("--date"),
            }, cancellationToken: ct)));
        loan.Add(Step(cli, "due-diligence", "Record due diligence (尽职调查) as passed, or --failed. Key role: FUND_OPERATOR and BANK (each records its own)",
            [Opt("--failed", "Record it as failed, with this note")],
            async (client, l, o, ct) => await client.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag, Passed = o("--failed").Length == 0, Note = o("--failed"),
            }, cancellationToken: ct)));
        loan.Add(Step(cli, "approve", "Approve the loan (both due diligences passed). Key role: BANK", [],
            async (client, l, o, ct) => await client.Loans.ApproveLoanAsync(new ApproveLoanRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag,
            }, cancellationToken: ct)));
        loan.Add(Step(cli, "guarantee", "Issue the fund's guarantee (担保); the fund needs capital for it (leverage). Key role: FUND_OPERATOR",
            [Opt("--date", "Guarantee-contract date YYYY-MM-DD (default the server's today)"), Guarantor()],
            async (client, l, o, ct) => await client.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag, GuaranteeDate = o("--date"),
                GuarantorType = o("--guarantor") switch
                {
                    "government" => GuarantorType.GovernmentFinancingGuarantor,
                    "fund" => GuarantorType.GuaranteeFund,
                    _ => GuarantorType.Unspecified,
                },
            }, cancellationToken: ct)));
        loan.Add(Step(cli, "disburse", "Disburse (放款); fixes the repayment schedule. Key role: BANK",
            [Opt("--date", "Disbursement date YYYY-MM-DD (default the server's today)")],
            async (client, l, o, ct) => await client.Loans.DisburseLoanAsync(new DisburseLoanRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = l.Name, Etag = l.Etag, DisbursementDate = o("--date"),
            }, cancellationToken: ct)));
        loan.Add(Repay(cli));
        loan.Add(Show(cli));
        return loan;
    }

    private static Option<string> Opt(string name, string description) => new(name) { Description = description };

    /// <summary>Who guarantees (policy.md §1); anything else is refused before a call.</summary>
    private static Option<string> Guarantor()
    {
        var option = Opt("--guarantor", "Who guarantees: fund (the guarantee fund, the default) or government (政银担, a government financing guarantor)");
        option.AcceptOnlyFromAmong("fund", "government");
        return option;
    }

    private static Argument<string> LoanArgument() => new("loan") { Description = "The loan: loans/L… (or just its id)" };

    private static string LoanName(string text) => text.StartsWith("loans/", StringComparison.Ordinal) ? text : "loans/" + text;

    private static Command Create(CliContext cli)
    {
        var data = new Option<string>("--data")
        {
            Description = "The application as the Loan message in protobuf JSON (as for grpcurl's CreateLoan), or @FILE",
            Required = true,
        };
        var command = new Command("create", "Submit an application (申请); prints the new loan's name alone, so scripts can keep it. Key role: BANK") { data };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetRequiredValue(data);
            if (text.StartsWith('@'))
            {
                text = await File.ReadAllTextAsync(text[1..], ct);
            }
            Loan application;
            try
            {
                application = JsonParser.Default.Parse<Loan>(text);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new UsageException($"--data is not a Loan in protobuf JSON: {e.Message}");
            }
            catch (InvalidJsonException e)
            {
                throw new UsageException($"--data is not JSON: {e.Message}");
            }
            using var client = cli.KeyedClient();
            var loan = await client.Loans.CreateLoanAsync(new CreateLoanRequest { RequestId = DanbaoClient.NewRequestId(), Loan = application }, cancellationToken: ct);
            Output.Write(cli, loan, loan.Name);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A state change: read the loan (for its etag), take the step, print the loan's new state.</summary>
    private static Command Step(CliContext cli, string name, string description, Option<string>[] options,
        Func<DanbaoClient, Loan, Func<string, string>, CancellationToken, Task<Loan>> step)
    {
        var loanArgument = LoanArgument();
        var command = new Command(name, description) { loanArgument };
        foreach (var option in options)
        {
            command.Add(option);
        }
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var current = await client.Loans.GetLoanAsync(new GetLoanRequest { Name = LoanName(parse.GetRequiredValue(loanArgument)) }, cancellationToken: ct);
            string Value(string option) => parse.GetValue(options.First(o => o.Name == option)) ?? "";
            var loan = await step(client, current, Value, ct);
            Output.Write(cli, loan, Summary(loan));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Repay(CliContext cli)
    {
        var loanArgument = LoanArgument();
        var amount = new Option<string>("--amount") { Description = "Amount paid in yuan, e.g. 1361.11 (interest first, then principal)", Required = true };
        var date = new Option<string>("--date") { Description = "Date paid YYYY-MM-DD (default the server's today)" };
        var command = new Command("repay", "Record a repayment. Key role: BANK") { loanArgument, amount, date };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var reply = await client.Loans.RecordRepaymentAsync(new RecordRepaymentRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = LoanName(parse.GetRequiredValue(loanArgument)),
                AmountFen = Output.Fen(parse.GetValue(amount), "--amount"), PaidDate = parse.GetValue(date) ?? "",
            }, cancellationToken: ct);
            Output.Write(cli, reply,
                $"Paid {Amounts.Yuan(reply.InterestFen + reply.PrincipalFen)} yuan: interest {Amounts.Yuan(reply.InterestFen)}, principal {Amounts.Yuan(reply.PrincipalFen)}"
                + $"{(reply.Settled ? " (settled)" : "")}.\n{Summary(reply.Loan)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliContext cli)
    {
        var loanArgument = LoanArgument();
        var command = new Command("show", "The loan and its repayment schedule (once disbursed). Key role: any that may see it") { loanArgument };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var loan = await client.Loans.GetLoanAsync(new GetLoanRequest { Name = LoanName(parse.GetRequiredValue(loanArgument)) }, cancellationToken: ct);
            RepaymentSchedule? schedule = loan.DisbursementDate.Length > 0
                ? await client.Loans.GetRepaymentScheduleAsync(new GetRepaymentScheduleRequest { Name = loan.Name }, cancellationToken: ct)
                : null;
            if (cli.Json)
            {
                cli.JsonOut.WriteLine(Output.Json(loan));
                if (schedule is not null)
                {
                    cli.JsonOut.WriteLine(Output.Json(schedule));
                }
                return ExitCodes.Ok;
            }
            cli.Out.WriteLine(Summary(loan));
            if (schedule is not null)
            {
                var table = new Report("due", "period", "principal due (yuan)", "interest due (yuan)");
                foreach (var i in schedule.Instalments)
                {
                    table.AddRow(i.DueDate, $"{i.PeriodStartDate} … {i.PeriodEndDate}", Amounts.Yuan(i.PrincipalDueFen), Amounts.Yuan(i.InterestDueFen));
                }
                table.Write(cli);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>"loans/L1 DISBURSED icbc-gz 100,000.00 yuan, outstanding 100,000.00, etag 9".</summary>
    public static string Summary(Loan loan)
    {
        var text = $"{loan.Name} {loan.State} {loan.Bank} {Amounts.Yuan(loan.AmountFen)} yuan, outstanding {Amounts.Yuan(loan.OutstandingPrincipalFen)}, etag {loan.Etag}";
        if (loan.PublicityEndDate.Length > 0 && loan.DisbursementDate.Length == 0)
        {
            text += $", publicity {loan.PublicityStartDate} … {loan.PublicityEndDate}";
        }
        if (loan.FailedRules.Count > 0 || loan.RejectionReason.Length > 0)
        {
            text += $", rejected: {string.Join(", ", loan.FailedRules.DefaultIfEmpty(loan.RejectionReason))} {loan.RejectionMessage}";
        }
        return text;
    }
}

/// <summary>`danbao fund …`: the guarantee fund's capital.</summary>
internal static class FundCommand
{
    public static Command Build(CliContext cli)
    {
        var fund = new Command("fund", "The guarantee fund: capital and overview");
        var which = new Option<string>("--fund") { Description = "The fund operator, e.g. gz-fund", Required = true };
        var amount = new Option<string>("--amount") { Description = "Amount in yuan, e.g. 10000000.00", Required = true };
        var date = new Option<string>("--date") { Description = "Contribution date YYYY-MM-DD (default the server's today)" };
        var reference = new Option<string>("--reference") { Description = "The bureau's payment reference" };
        var contribute = new Command("contribute", """
            The finance bureau pays capital into its region's fund. Guarantees are limited to a multiple of the fund's
            balance (leverage), so a fund without capital can guarantee nothing. Key role: FINANCE_BUREAU
            """) { which, amount, date, reference };
        contribute.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var reply = await client.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Fund = KeysCommand.Institution(parse.GetRequiredValue(which)),
                AmountFen = Output.Fen(parse.GetValue(amount), "--amount"), FundingSource = FundingSource.FinanceCapital,
                ContributionDate = parse.GetValue(date) ?? "", Reference = parse.GetValue(reference) ?? "",
            }, cancellationToken: ct);
            Output.Write(cli, reply, $"Contributed {Amounts.Yuan(reply.AmountFen)} yuan to {reply.Fund}; fund balance {Amounts.Yuan(reply.FundBalanceFen)} yuan.");
            return ExitCodes.Ok;
        });
        fund.Add(contribute);
        return fund;
    }
}
