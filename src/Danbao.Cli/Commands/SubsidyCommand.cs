using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao subsidy settle|report`: the finance bureau's side of the quarterly interest-subsidy claims.</summary>
internal static class SubsidyCommand
{
    public static Command Build(CliContext cli)
    {
        var subsidy = new Command("subsidy", "Interest subsidy (贴息) claims: settle the submitted ones, report a quarter");
        var quarter = new Option<string>("--quarter") { Description = "Quarter YYYY-QN (default: every quarter with claims waiting)" };
        var date = new Option<string>("--business-date") { Description = "Payment date YYYY-MM-DD (default today, CST); not after the server's today" };
        var settle = new Command("settle", """
            Review (approve every payable line; not-payable lines are rejected with their reason) and settle every submitted
            claim the key's finance bureau can see: one ledger payment per claim, finance → bank. Key role: FINANCE_BUREAU
            """) { quarter, date };
        settle.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var on = Dates.Text(await Dates.OrServerToday(parse.GetValue(date), "--business-date", client, ct));
            var claims = new List<SubsidyClaim>();
            var list = new ListSubsidyClaimsRequest { PageSize = 500, Quarter = parse.GetValue(quarter) ?? "" };
            do
            {
                var page = await client.Subsidy.ListSubsidyClaimsAsync(list, cancellationToken: ct);
                claims.AddRange(page.Claims.Where(c => c.State is SubsidyClaimState.SubsidyClaimSubmitted or SubsidyClaimState.SubsidyClaimReviewed));
                list.PageToken = page.NextPageToken;
            }
            while (list.PageToken.Length > 0);
            if (claims.Count == 0)
            {
                cli.Out.WriteLine("No submitted subsidy claims to settle.");
                return ExitCodes.Ok;
            }
            var settled = new List<SubsidyClaim>();
            await cli.Console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask($"Settling {claims.Count} claims", maxValue: claims.Count);
                foreach (var claim in claims)
                {
                    var current = claim;
                    if (current.State == SubsidyClaimState.SubsidyClaimSubmitted)
                    {
                        current = await client.Subsidy.ReviewSubsidyClaimAsync(new ReviewSubsidyClaimRequest
                        {
                            RequestId = DanbaoClient.NewRequestId(), Name = current.Name, Etag = current.Etag, ApproveAll = true,
                        }, cancellationToken: ct);
                    }
                    current = await client.Subsidy.SettleSubsidyClaimAsync(new SettleSubsidyClaimRequest
                    {
                        RequestId = DanbaoClient.NewRequestId(), Name = current.Name, Etag = current.Etag, BusinessDate = on,
                    }, cancellationToken: ct);
                    settled.Add(current);
                    task.Increment(1);
                }
            });
            var table = new Report("claim", "bank", "quarter", "lines", "approved", "rejected", "claimed (yuan)", "expected (yuan)", "paid (yuan)", "ledger tx");
            foreach (var c in settled)
            {
                table.AddRow(c.Name, c.Bank, c.Quarter, $"{c.LineCount}", $"{c.LinesApproved}", $"{c.LinesRejected}",
                    Amounts.Yuan(c.ClaimedSubsidyFen), Amounts.Yuan(c.ExpectedSubsidyFen), Amounts.Yuan(c.ApprovedSubsidyFen), $"{c.LedgerTransactionId}");
            }
            table.Write(cli);
            cli.Out.WriteLine($"Settled {settled.Count} claims on {on}: {Amounts.Yuan(settled.Sum(c => c.ApprovedSubsidyFen))} yuan paid to the banks.");
            return ExitCodes.Ok;
        });
        subsidy.Add(settle);
        subsidy.Add(File(cli));

        var reportQuarter = new Option<string>("--quarter") { Description = "Quarter YYYY-QN", Required = true };
        var region = new Option<string>("--region") { Description = "Region, e.g. CN-GD-GZ (default the key's)" };
        var report = new Command("report", "Totals of the settled subsidy of a region and quarter, by bank, district and formula") { reportQuarter, region };
        report.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var r = await client.Subsidy.GetSubsidySettlementReportAsync(new GetSubsidySettlementReportRequest
            {
                Quarter = parse.GetRequiredValue(reportQuarter), Region = parse.GetValue(region) ?? "",
            }, cancellationToken: ct);
            var table = new Report("by", "key", "loans", "interest (yuan)", "subsidy (yuan)");
            foreach (var (by, totals) in new[] { ("bank", r.ByBank), ("district", r.ByDistrict), ("formula", r.ByFormula) })
            {
                foreach (var t in totals)
                {
                    table.AddRow(by, Markup.Escape(t.Key), $"{t.Loans}", Amounts.Yuan(t.InterestFen), Amounts.Yuan(t.SubsidyFen));
                }
            }
            table.AddRow("total", "", $"{r.Loans}", Amounts.Yuan(r.InterestFen), Amounts.Yuan(r.SubsidyFen));
            cli.Out.WriteLine($"Subsidy settled in {r.Region}, {r.Quarter}:");
            table.Write(cli);
            return ExitCodes.Ok;
        });
        subsidy.Add(report);
        return subsidy;
    }

    /// <summary>`danbao subsidy file`: a bank files, fills and submits its claim for the quarter before today.</summary>
    private static Command File(CliContext cli)
    {
        var quarter = new Option<string>("--quarter") { Description = "Quarter YYYY-QN: the quarter before the server's today (claims are filed in the month after it)", Required = true };
        var lines = new Option<FileInfo>("--lines")
        {
            Description = "CSV of the bank's figures, one loan a line: loan,interest_paid,subsidy_claimed (yuan, e.g. loans/L1,97.22,48.61; header optional)",
            Required = true,
        };
        var command = new Command("file", """
            File the bank's subsidy claim for a quarter from its own figures, then submit it: the server recomputes every line and
            flags the ones that differ; the finance bureau reviews and settles (`subsidy settle`). Key role: BANK
            """) { quarter, lines };
        command.SetAction(async (parse, ct) =>
        {
            var csv = parse.GetRequiredValue(lines);
            if (!csv.Exists)
            {
                throw new UsageException($"--lines {csv.FullName} does not exist");
            }
            // The file is read as it is streamed (StreamSubsidyClaimLines, 10,000 lines a message): any size up to the
            // server's stream limit, never held in memory; a bad line cancels the stream and nothing is filed.
            IEnumerable<SubsidyClaimLineInput> Lines()
            {
                var number = 0;
                foreach (var raw in System.IO.File.ReadLines(csv.FullName))
                {
                    var line = raw.Trim();
                    number++;
                    if (line.Length == 0 || (number == 1 && line.StartsWith("loan,", StringComparison.OrdinalIgnoreCase)))
                    {
                        continue;
                    }
                    var cells = line.Split(',');
                    if (cells.Length != 3)
                    {
                        throw new UsageException($"{csv.Name} line {number}: expected loan,interest_paid,subsidy_claimed");
                    }
                    yield return new SubsidyClaimLineInput
                    {
                        Loan = cells[0].StartsWith("loans/", StringComparison.Ordinal) ? cells[0] : "loans/" + cells[0],
                        InterestPaidFen = Output.Fen(cells[1], $"{csv.Name} line {number} interest_paid"),
                        SubsidyClaimedFen = Output.Fen(cells[2], $"{csv.Name} line {number} subsidy_claimed"),
                    };
                }
            }
            using var client = cli.KeyedClient();
            var claim = await client.Subsidy.CreateSubsidyClaimAsync(new CreateSubsidyClaimRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Quarter = parse.GetRequiredValue(quarter),
            }, cancellationToken: ct);
            await client.Subsidy.StreamSubsidyClaimLinesAsync(claim.Name, DanbaoClient.NewRequestId(), Lines(), cancellationToken: ct);
            claim = await client.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claim.Name }, cancellationToken: ct);
            claim = await client.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = claim.Name, Etag = claim.Etag,
            }, cancellationToken: ct);
            Output.Write(cli, claim, $"{claim.Name} {claim.State} {claim.Quarter}: {claim.LineCount} lines, claimed {Amounts.Yuan(claim.ClaimedSubsidyFen)} yuan, "
                + $"expected {Amounts.Yuan(claim.ExpectedSubsidyFen)} yuan.");
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>`danbao reconcile`: the fund's guarantees per bank from its journal, against the loan book.</summary>
internal static class ReconcileCommand
{
    public static Command Build(CliContext cli)
    {
        var from = new Option<string>("--from") { Description = "First day YYYY-MM-DD (default: the first day of the to-date's quarter)" };
        var to = new Option<string>("--to") { Description = "Last day YYYY-MM-DD (default today, CST)" };
        var banks = new Option<string[]>("--bank") { Description = "Bank id(s) (default: every bank, listed with an admin key, else those in the loan book)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("reconcile", """
            Per bank and period, from the fund's journal: guarantees outstanding at the start, issued, released, outstanding at
            the end, compensation claims, recoveries and write-offs; and, when the period ends today, the loan book's
            outstanding principal of guaranteed loans next to the journal's, with the difference.
            Key role: FUND_OPERATOR, FINANCE_BUREAU or ADMIN (a BANK key sees its own)
            """) { from, to, banks, Statement(cli) };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var today = await Dates.OrServerToday(null, "--to", client, ct);
            var last = Dates.Parse(parse.GetValue(to), "--to", today);
            var first = Dates.Parse(parse.GetValue(from), "--from", new DateOnly(last.Year, (last.Month - 1) / 3 * 3 + 1, 1));
            if (first > last)
            {
                throw new UsageException("--from is after --to");
            }
            var book = await LoanBookAsync(client, ct);
            var ids = parse.GetValue(banks) is { Length: > 0 } given ? given.ToList() : await BanksAsync(client, book, ct);
            var table = new Report("bank", "opening", "issued", "released", "closing", "claims", "paid by fund", "recovered", "loan book", "difference");
            var breaks = 0;
            foreach (var bank in ids)
            {
                var r = await client.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest
                {
                    Bank = KeysCommand.Institution(bank), FromDate = Dates.Text(first), ToDate = Dates.Text(last),
                }, cancellationToken: ct);
                var onBook = book.TryGetValue(r.Bank, out var fen) ? fen : 0;
                var difference = r.ClosingOutstandingFen - onBook;
                breaks += difference != 0 ? 1 : 0;
                table.AddRow(r.Bank, Amounts.Yuan(r.OpeningOutstandingFen), Amounts.Yuan(r.GuaranteesIssuedFen), Amounts.Yuan(r.GuaranteesReleasedFen),
                    Amounts.Yuan(r.ClosingOutstandingFen), $"{r.ClaimsFiled}", Amounts.Yuan(r.ClaimsPaidFundFen), Amounts.Yuan(r.RecoveriesFundFen),
                    Amounts.Yuan(onBook), Amounts.Yuan(difference));
            }
            cli.Out.WriteLine($"Reconciliation {Dates.Text(first)} … {Dates.Text(last)} (yuan):");
            table.Write(cli);
            cli.Out.WriteLine(breaks == 0
                ? "Journal and loan book agree for every bank."
                : $"{breaks} bank(s) differ between the fund's journal and the loan book (the loan book is as of now: compare with --to today).");
            return breaks == 0 ? ExitCodes.Ok : ExitCodes.BreaksFound;
        });
        return command;
    }

    /// <summary>
    /// `danbao reconcile statement`: a bank sends its loan-level balances (from a CSV, or its loan
    /// book as the server shows it) and gets the breaks against the fund's ledger.
    /// </summary>
    public static Command Statement(CliContext cli)
    {
        var asOf = new Option<string>("--as-of") { Description = "Date of the balances YYYY-MM-DD (default today, CST)" };
        var file = new Option<FileInfo>("--file") { Description = "CSV with columns loan,amount (header optional; quote grouped amounts: \"1,000,000\"); needs --amounts. Default: the bank's loan book from the server" };
        var amounts = new Option<string>("--amounts") { Description = "Unit of the file's amounts: yuan (up to 2 decimals) or fen (whole); required with --file" };
        amounts.AcceptOnlyFromAmong("yuan", "fen");
        var breaksOut = new Option<FileInfo>("--breaks-out") { Description = "Write every break as CSV here" };
        var command = new Command("statement", "Upload the bank's loan-level outstanding balances and list the breaks against the fund's ledger; exits 5 when there are breaks. Key role: BANK")
        {
            asOf, file, amounts, breaksOut,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var on = Dates.Text(await Dates.OrServerToday(parse.GetValue(asOf), "--as-of", client, ct));
            IEnumerable<StatementLine> lines;
            if (parse.GetValue(file) is { } csv)
            {
                if (!csv.Exists)
                {
                    throw new UsageException($"no such file: {csv.FullName}");
                }
                var unit = parse.GetValue(amounts) switch
                {
                    "yuan" => StatementAmountUnit.Yuan,
                    "fen" => StatementAmountUnit.Fen,
                    _ => throw new UsageException("--file needs --amounts yuan or --amounts fen: the unit of the file's amounts is never guessed"),
                };
                // First pass: every line parses, or nothing is sent (the line and column are named). Second pass streams it.
                foreach (var _ in StatementFile.Read(csv.FullName, unit))
                {
                }
                lines = StatementFile.Read(csv.FullName, unit);
            }
            else
            {
                lines = (await LoanBookAsync(client, ct, perLoan: true)).Select(p => new StatementLine { Loan = p.Key, OutstandingFen = p.Value }).ToList();
            }
            // The packed form: the server stages it without an object per line (docs/fund-ledger.md).
            var result = await client.Fund.UploadPackedBankStatementAsync(on, lines, cancellationToken: ct);
            var table = new Report("statement", "as of", "lines", "matched", "breaks", "ours (yuan)", "theirs (yuan)");
            table.AddRow(result.Name, result.AsOfDate, $"{result.LinesReceived}", $"{result.LoansMatched}", $"{result.BreaksCount}", Amounts.Yuan(result.OursTotalFen), Amounts.Yuan(result.TheirsTotalFen));
            table.Write(cli);
            foreach (var b in result.Breaks.Take(20))
            {
                cli.Out.WriteLine($"  {b.Loan} {b.Kind}: ours {Amounts.Yuan(b.OursFen)}, theirs {Amounts.Yuan(b.TheirsFen)}");
            }
            if (parse.GetValue(breaksOut) is { } output)
            {
                await File.WriteAllTextAsync(output.FullName, await client.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = result.Name }, ct), ct);
                cli.Out.WriteLine($"Wrote the breaks to {output.FullName}");
            }
            cli.Out.WriteLine(result.BreaksCount == 0 ? "No breaks." : $"{result.BreaksCount} break(s).");
            return result.BreaksCount == 0 ? ExitCodes.Ok : ExitCodes.BreaksFound;
        });
        return command;
    }

    /// <summary>Outstanding principal of guaranteed loans (guaranteed, performing, overdue, extended, claimed) per bank (or per loan), now.</summary>
    private static async Task<Dictionary<string, long>> LoanBookAsync(DanbaoClient client, CancellationToken ct, bool perLoan = false)
    {
        var book = new Dictionary<string, long>(StringComparer.Ordinal);
        var request = new ListLoansRequest { PageSize = 500 };
        do
        {
            var page = await client.Loans.ListLoansAsync(request, cancellationToken: ct);
            foreach (var loan in page.Loans)
            {
                var guaranteed = loan.State switch
                {
                    LoanState.Guaranteed => loan.AmountFen,
                    LoanState.Current or LoanState.Overdue or LoanState.Extended or LoanState.Claimed => loan.OutstandingPrincipalFen,
                    _ => 0,
                };
                if (perLoan)
                {
                    if (guaranteed > 0)
                    {
                        book[loan.Name] = guaranteed;
                    }
                    continue;
                }
                book[loan.Bank] = book.GetValueOrDefault(loan.Bank) + guaranteed;
            }
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return book;
    }

    private static async Task<List<string>> BanksAsync(DanbaoClient client, Dictionary<string, long> book, CancellationToken ct)
    {
        try
        {
            var banks = new List<string>();
            var request = new ListInstitutionsRequest { PageSize = 500 };
            do
            {
                var page = await client.Identity.ListInstitutionsAsync(request, cancellationToken: ct);
                banks.AddRange(page.Institutions.Where(i => i.Role == Role.Bank).Select(i => i.Name));
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);
            return banks;
        }
        catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.PermissionDenied)
        {
            return book.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }
}
