using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Danbao.Bench.Driver;
using Danbao.Client;
using Danbao.Contracts.V1;
using ResidentIdNumber = Danbao.Domain.Borrowers.ResidentIdNumber;
using Grpc.Core;

// Load generator for bench/run.sh. Commands (all print one JSON object on stdout):
//   seed  --address URL --keys FILE --loans N [--clients C] --out FILE
//         creates N disbursed loans through the API (bank icbc-gz, gz-hrss, gz-fund), writes their names
//   repay --address URL --keys FILE --loans FILE --clients C --seconds S [--warmup S] [--pid P]
//         RecordRepayment of 1 yuan on a loan picked round-robin from the worker's own share of loans
//   reconcile --loans FILE --clones P:N,… [--clone-fen F] [--differ-every K]   upload --banks B1,B2,… --lines N
//         statements go as packed_lines; --plain 1 sends the `lines` form, --lines-per-message K
//   get | list  --address URL --keys FILE --loans FILE --clients C --seconds S [--warmup S] [--pid P]
//         GetLoan of a random loan / the first ListLoans page (50) of bank icbc-gz; replies counted, not decoded
//         (CountedCalls, as are repay's), after each worker's first call is decoded and checked
// --pid samples the server's CPU time (utime+stime from /proc/PID/stat) and peak RSS during the run.
var options = Options.Parse(args);
var keys = File.ReadAllLines(options.Get("keys"))
    .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
    .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
var address = new Uri(options.Get("address"));
var clients = options.Int("clients", 16);

// One client (one connection pool) per 16 workers so that 128 workers are not queued behind the
// 100-stream limit of a single HTTP/2 connection.
// Bulk calls (a million claim lines reviewed or settled in one call) get a long deadline.
var timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds", 60));
DanbaoClient[] Pool(string institution) =>
    Enumerable.Range(0, Math.Max(1, (clients + 15) / 16))
        .Select(_ => new DanbaoClient(address, keys[institution], new DanbaoClientOptions { Timeout = timeout }))
        .ToArray();

switch (options.Command)
{
    case "seed":
        await Seed.RunAsync(Pool("icbc-gz"), Pool("gz-hrss"), Pool("gz-fund"), Pool("gz-finance")[0], options.Int("loans", 1000), clients, options.Get("out"));
        break;
    case "settle":
        var settled = await Settlement.RunAsync(Pool("icbc-gz")[0], Pool("gz-finance")[0], options.Get("claim"), options.Int("loans", 10_000), options.Get("prefix"),
            options.Int("pid", 0), options.Int("pg-pid", 0), options.Int("lines-only", 0) != 0);
        Console.WriteLine(JsonSerializer.Serialize(settled));
        break;
    case "reconcile":
        StatementLines.Plain = options.Int("plain", 0) != 0;
        var reconciled = await Reconciling.RunAsync(Pool("icbc-gz")[0], File.ReadAllLines(options.Get("loans")).Where(l => l.Length > 0).ToArray(),
            options.Get("clones"), options.Long("clone-fen", 200_000_00), options.Int("differ-every", 0));
        Console.WriteLine(JsonSerializer.Serialize(reconciled));
        break;
    case "upload":
        StatementLines.PerMessage = options.Int("lines-per-message", StatementLines.PerMessage);
        StatementLines.Plain = options.Int("plain", 0) != 0;
        var banks = options.Get("banks").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var uploaded = await Reconciling.UploadConcurrentlyAsync(banks.Select(b => Pool(b)[0]).ToArray(), options.Int("lines", 1_000_000));
        Console.WriteLine(JsonSerializer.Serialize(uploaded));
        break;
    case "repay":
    case "get":
    case "list":
        var loans = File.ReadAllLines(options.Get("loans")).Where(l => l.Length > 0).ToArray();
        var bank = Pool("icbc-gz");
        var counted = bank.Select(c => new CountedCalls(c, keys["icbc-gz"], timeout)).ToArray();
        var result = await Load.RunAsync(options.Command, counted, loans, clients,
            TimeSpan.FromSeconds(options.Double("seconds", 10)), TimeSpan.FromSeconds(options.Double("warmup", 2)),
            options.Int("pid", 0), options.Int("pg-pid", 0));
        Console.WriteLine(JsonSerializer.Serialize(result));
        break;
    default:
        Console.Error.WriteLine("usage: Danbao.Bench.Driver seed|repay|get|list --address URL --keys FILE ...");
        return 2;
}
return 0;

namespace Danbao.Bench.Driver
{
    internal sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public string Command { get; private init; } = "";

        public static Options Parse(string[] args)
        {
            var o = new Options { Command = args.Length > 0 ? args[0] : "" };
            for (var i = 1; i + 1 < args.Length; i += 2)
            {
                o._values[args[i].TrimStart('-')] = args[i + 1];
            }
            return o;
        }

        public string Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

        public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public long Long(string name, long fallback) => _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Disbursed loans through the real lifecycle: create, review, publicity, due diligence, approve, guarantee, disburse.</summary>
    internal static class Seed
    {
        public static async Task RunAsync(DanbaoClient[] bank, DanbaoClient[] hrss, DanbaoClient[] fund, DanbaoClient finance, int loanCount, int clients, string outFile)
        {
            // Guarantees are leverage-checked against the fund's capital: enough for every loan at 1x.
            await finance.Fund.ContributeCapitalAsync(new ContributeCapitalRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Fund = "institutions/gz-fund", AmountFen = 200_000_00L * loanCount,
                FundingSource = FundingSource.FinanceCapital, ContributionDate = "2025-01-02", Reference = "bench",
            });
            var names = new string[loanCount];
            var next = -1;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async w =>
            {
                var (b, h, f) = (bank[w / 16], hrss[w / 16], fund[w / 16]);
                int i;
                while ((i = Interlocked.Increment(ref next)) < loanCount)
                {
                    names[i] = (await DisbursedAsync(b, h, f, i)).Name;
                }
            }));
            await File.WriteAllLinesAsync(outFile, names);
            Console.WriteLine(JsonSerializer.Serialize(new { loans = loanCount, seconds = sw.Elapsed.TotalSeconds, loans_per_second = loanCount / sw.Elapsed.TotalSeconds }));
        }

        private static async Task<Loan> DisbursedAsync(DanbaoClient bank, DanbaoClient hrss, DanbaoClient fund, int i)
        {
            string Id() => DanbaoClient.NewRequestId();
            var loan = await bank.Loans.CreateLoanAsync(new CreateLoanRequest
            {
                RequestId = Id(),
                Loan = new Loan
                {
                    Borrower = new Borrower
                    {
                        Type = BorrowerType.Individual,
                        Person = new Person { Name = "陈明", IdNumber = IdNumber(i), KeyGroup = KeyGroup.Graduate, Residency = Residency.Mainland },
                    },
                    AmountFen = 200_000_00,
                    TermMonths = 24,
                    ContractRateBp = 350,
                    RepaymentMethod = RepaymentMethod.Bullet,
                    ContractDate = "2025-06-01",
                    ApplicationDate = "2025-06-01",
                    CounterGuarantee = true,
                    Region = "CN-GD-GZ",
                    District = "天河区",
                },
            });
            loan = await hrss.Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, PublicityStartDate = "2025-06-02" });
            loan = await hrss.Loans.ConcludePublicityAsync(new ConcludePublicityRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, BusinessDate = "2025-06-05" });
            loan = await fund.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, Passed = true });
            loan = await bank.Loans.RecordDueDiligenceAsync(new RecordDueDiligenceRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, Passed = true });
            loan = await bank.Loans.ApproveLoanAsync(new ApproveLoanRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag });
            loan = await fund.Loans.IssueGuaranteeAsync(new IssueGuaranteeRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, GuaranteeDate = "2025-06-15" });
            return await bank.Loans.DisburseLoanAsync(new DisburseLoanRequest { RequestId = Id(), Name = loan.Name, Etag = loan.Etag, DisbursementDate = "2025-06-20" });
        }

        /// <summary>A distinct valid resident ID number per loan: 500 men per birth date from 1988-01-01 on.</summary>
        private static string IdNumber(int i)
        {
            var birth = new DateOnly(1988, 1, 1).AddDays(i / 500);
            var order = ((i % 500) * 2 + 1).ToString("000", CultureInfo.InvariantCulture);
            var first17 = "440106" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + order;
            return first17 + ResidentIdNumber.CheckCharacter(first17);
        }
    }

    /// <summary>
    /// A quarter's subsidy claim for loans {prefix}00000000000001… (seeded by COPY): lines streamed in one
    /// StreamSubsidyClaimLines call (10,000 a message), submitted, approved as a whole by the finance bureau and
    /// settled; --pid samples the server's peak RSS over the whole run; with --pg-pid, each phase's CPU seconds of the
    /// server, Postgres (postmaster and backends) and this driver are reported too (where the time goes).
    /// </summary>
    internal static class Settlement
    {
        public static async Task<object> RunAsync(DanbaoClient bank, DanbaoClient finance, string claimName, int loanCount, string prefix, int serverPid, int pgPid, bool linesOnly = false)
        {
            using var rss = new ProcessStats.RssSampler(serverPid);
            var phases = new Dictionary<string, double>();
            var cpu = new Dictionary<string, object>();
            var sw = Stopwatch.StartNew();
            var total = Stopwatch.StartNew();
            var mark = (Server: ProcessStats.CpuTicks(serverPid), Pg: ProcessStats.TreeTicks(pgPid), Driver: Process.GetCurrentProcess().TotalProcessorTime);
            void Cpu(string phase)
            {
                var now = (Server: ProcessStats.CpuTicks(serverPid), Pg: ProcessStats.TreeTicks(pgPid), Driver: Process.GetCurrentProcess().TotalProcessorTime);
                cpu[phase] = new
                {
                    server_s = (now.Server - mark.Server) / ProcessStats.TicksPerSecond,
                    postgres_s = (now.Pg - mark.Pg) / ProcessStats.TicksPerSecond,
                    driver_s = (now.Driver - mark.Driver).TotalSeconds,
                };
                mark = now;
            }
            // More than is due on both figures: each line is approvable and pays the computed subsidy.
            var lines = Enumerable.Range(1, loanCount).Select(i => new SubsidyClaimLineInput { Loan = $"loans/{prefix}{i:D14}", InterestPaidFen = 300_000, SubsidyClaimedFen = 300_000 });
            rss.Phase("add_lines");
            await bank.Subsidy.StreamSubsidyClaimLinesAsync(claimName, DanbaoClient.NewRequestId(), lines);
            phases["add_lines"] = sw.Elapsed.TotalSeconds;
            Cpu("add_lines");
            if (linesOnly)
            {
                // --lines-only 1: the filing alone (a profile of the stream), the claim left DRAFT.
                return new { loans = loanCount, seconds = total.Elapsed.TotalSeconds, phases, server_rss = rss.Summary(), cpu_seconds = cpu };
            }
            rss.Phase("submit");
            sw.Restart();
            var claim = await bank.Subsidy.GetSubsidyClaimAsync(new GetSubsidyClaimRequest { Name = claimName });
            claim = await bank.Subsidy.SubmitSubsidyClaimAsync(new SubmitSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claimName, Etag = claim.Etag });
            phases["submit"] = sw.Elapsed.TotalSeconds;
            Cpu("submit");
            rss.Phase("review");
            sw.Restart();
            claim = await finance.Subsidy.ReviewSubsidyClaimAsync(new ReviewSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claimName, Etag = claim.Etag, ApproveAll = true });
            phases["review"] = sw.Elapsed.TotalSeconds;
            Cpu("review");
            rss.Phase("settle");
            sw.Restart();
            claim = await finance.Subsidy.SettleSubsidyClaimAsync(new SettleSubsidyClaimRequest { RequestId = DanbaoClient.NewRequestId(), Name = claimName, Etag = claim.Etag, BusinessDate = "2026-10-20" });
            phases["settle"] = sw.Elapsed.TotalSeconds;
            Cpu("settle");
            return new
            {
                loans = loanCount,
                seconds = total.Elapsed.TotalSeconds,
                phases,
                state = claim.State.ToString(),
                lines = claim.LineCount,
                lines_approved = claim.LinesApproved,
                lines_not_payable = claim.LinesNotPayable,
                approved_subsidy_fen = claim.ApprovedSubsidyFen,
                ledger_transaction_id = claim.LedgerTransactionId,
                server_rss = rss.Summary(),
                cpu_seconds = cpu,
            };
        }
    }

    /// <summary>
    /// Bank icbc-gz reconciles: the period statement from the journal (GetBankReconciliation), then
    /// uploads a loan-level statement (the API-made loans at their true outstanding principal, which
    /// match, and the COPY-cloned loans, which have no guarantee posting and so break as
    /// MISSING_HERE) and exports the break report as CSV.
    /// </summary>
    internal static partial class Reconciling
    {
        public static async Task<object> RunAsync(DanbaoClient bank, string[] apiLoans, string clones, long cloneFen, int differEvery)
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var sw = Stopwatch.StartNew();
            var statement = await bank.Fund.GetBankReconciliationAsync(new GetBankReconciliationRequest { FromDate = "2025-01-01", ToDate = today });
            var reconciliationSeconds = sw.Elapsed.TotalSeconds;

            var ring = new StatementLines();
            IEnumerable<StatementLine> Lines()
            {
                foreach (var loan in apiLoans)
                {
                    yield return ring.Next(loan, 200_000_00);
                }
                foreach (var part in clones.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var (prefix, count) = (part.Split(':')[0], int.Parse(part.Split(':')[1], CultureInfo.InvariantCulture));
                    for (var i = 1; i <= count; i++)
                    {
                        yield return ring.Next(StatementLines.LoanName(prefix, i, 14), differEvery > 0 && i % differEvery == 0 ? cloneFen + 1 : cloneFen);
                    }
                }
            }
            sw.Restart();
            var comparison = await StatementLines.UploadAsync(bank, today, Lines());
            var uploadSeconds = sw.Elapsed.TotalSeconds;
            sw.Restart();
            var csv = await bank.Fund.ExportStatementBreaksCsvAsync(new ExportStatementBreaksRequest { Name = comparison.Name });
            var exportSeconds = sw.Elapsed.TotalSeconds;
            return new
            {
                seconds = reconciliationSeconds + uploadSeconds + exportSeconds,
                reconciliation_seconds = reconciliationSeconds,
                upload_seconds = uploadSeconds,
                export_seconds = exportSeconds,
                lines_received = comparison.LinesReceived,
                loans_matched = comparison.LoansMatched,
                breaks = comparison.BreaksCount,
                csv_bytes = csv.Length,
                closing_outstanding_fen = statement.ClosingOutstandingFen,
            };
        }
    }

    internal static partial class Reconciling
    {
        /// <summary>
        /// Each bank uploads a statement of <paramref name="linesCount"/> lines at the same time (10,000
        /// lines a message, generated as they are sent), for the server's memory while they stream in.
        /// </summary>
        public static async Task<object> UploadConcurrentlyAsync(DanbaoClient[] banks, int linesCount)
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            IEnumerable<StatementLine> Lines(int bank)
            {
                var ring = new StatementLines();
                for (var i = 1; i <= linesCount; i++)
                {
                    yield return ring.Next(StatementLines.LoanName($"LU{bank}", i, 13), 100_000_00 + i);
                }
            }
            var sw = Stopwatch.StartNew();
            var replies = await Task.WhenAll(banks.Select((bank, k) => Task.Run(() => StatementLines.UploadAsync(bank, today, Lines(k)))));
            return new
            {
                seconds = sw.Elapsed.TotalSeconds,
                banks = banks.Length,
                lines_per_bank = linesCount,
                lines_received = replies.Sum(r => (long)r.LinesReceived),
                breaks = replies.Sum(r => (long)r.BreaksCount),
            };
        }
    }

    /// <summary>
    /// Statement lines as a bank's system would send them, made cheaply so that the client's share of
    /// the 2 cores stays small: one StatementLine object per slot of a message, reused once the message
    /// holding it was sent (UploadBankStatementAsync sends every <see cref="PerMessage"/> lines), and
    /// names written straight into their string.
    /// </summary>
    internal sealed class StatementLines
    {
        /// <summary>Lines a message (--lines-per-message, default 10,000, the client library's default; packed blocks also end at 64 KiB).</summary>
        public static int PerMessage { get; set; } = 10_000;

        /// <summary>--plain 1: the `lines` form (a StatementLine per line) rather than packed_lines, for comparison.</summary>
        public static bool Plain { get; set; }

        public static Task<StatementComparison> UploadAsync(DanbaoClient bank, string asOf, IEnumerable<StatementLine> lines) => Plain
            ? bank.Fund.UploadBankStatementAsync(asOf, lines, PerMessage)
            : bank.Fund.UploadPackedBankStatementAsync(asOf, lines, PerMessage);
        private readonly StatementLine[] _slots = Enumerable.Range(0, PerMessage).Select(_ => new StatementLine()).ToArray();
        private int _next;

        public StatementLine Next(string loan, long fen)
        {
            var line = _slots[_next];
            _next = (_next + 1) % PerMessage;
            line.Loan = loan;
            line.OutstandingFen = fen;
            return line;
        }

        public static string LoanName(string prefix, int i, int digits) =>
            string.Create(6 + prefix.Length + digits, (prefix, i, digits), static (span, s) =>
            {
                "loans/".CopyTo(span);
                s.prefix.CopyTo(span[6..]);
                s.i.TryFormat(span[(6 + s.prefix.Length)..], out _, s.digits == 14 ? "D14" : "D13", CultureInfo.InvariantCulture);
            });
    }

    /// <summary>A fixed number of workers calling in a closed loop for a fixed time after a warm-up.</summary>
    internal static class Load
    {
        public static async Task<object> RunAsync(string kind, CountedCalls[] pool, string[] loans, int clients, TimeSpan duration, TimeSpan warmup, int serverPid, int postgresPid)
        {
            var measuring = 0; // 0 warm-up, 1 measuring, 2 stopping
            var latencies = new List<double>[clients];
            var failures = new long[clients];
            string? firstError = null;
            var workers = Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
            {
                var calls = pool[w / 16];
                var mine = new List<double>(1 << 16);
                latencies[w] = mine;
                var random = new Random(w);
                var n = 0;
                while (Volatile.Read(ref measuring) < 2)
                {
                    // Each worker repays only its own share of loans (w, w+clients, …): repayments on one
                    // loan serialise on its row, so sharing loans would measure lock queues.
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        await CallAsync(kind, calls, loans, w, clients, n++, random);
                    }
                    catch (RpcException ex)
                    {
                        Interlocked.Increment(ref failures[w]);
                        Interlocked.CompareExchange(ref firstError, $"{ex.StatusCode}: {ex.Status.Detail}", null);
                        await Task.Delay(10); // a failing server is not a reason to spin
                        continue;
                    }
                    if (Volatile.Read(ref measuring) == 1)
                    {
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            })).ToArray();

            await Task.Delay(warmup);
            Array.Clear(failures);
            var cpuBefore = ProcessStats.CpuTicks(serverPid);
            var pgBefore = ProcessStats.TreeTicks(postgresPid);
            var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
            using var rss = new ProcessStats.RssSampler(serverPid);
            var sw = Stopwatch.StartNew();
            Volatile.Write(ref measuring, 1);
            await Task.Delay(duration);
            Volatile.Write(ref measuring, 2);
            var elapsed = sw.Elapsed.TotalSeconds;
            var cpuAfter = ProcessStats.CpuTicks(serverPid);
            var pgAfter = ProcessStats.TreeTicks(postgresPid);
            var selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - selfBefore).TotalSeconds;
            await Task.WhenAll(workers);

            // Calls that finished after the stop flag are not counted; each worker's list only grows while measuring.
            var all = latencies.SelectMany(l => l).ToArray();
            Array.Sort(all);
            double Pct(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
            var calls = all.Length;
            return new
            {
                kind,
                clients,
                seconds = elapsed,
                calls,
                calls_per_second = calls / elapsed,
                failures = failures.Sum(),
                first_error = firstError,
                p50_ms = Pct(0.50),
                p90_ms = Pct(0.90),
                p99_ms = Pct(0.99),
                max_ms = all.Length == 0 ? 0 : all[^1],
                server_cpu_us_per_call = serverPid > 0 && calls > 0 ? (cpuAfter - cpuBefore) * 1e6 / ProcessStats.TicksPerSecond / calls : 0,
                postgres_cpu_us_per_call = postgresPid > 0 && calls > 0 ? (pgAfter - pgBefore) * 1e6 / ProcessStats.TicksPerSecond / calls : 0,
                driver_cpu_us_per_call = calls > 0 ? selfCpu * 1e6 / calls : 0,
                server_rss_peak_mb = rss.PeakMb,
            };
        }

        private static async Task CallAsync(string kind, CountedCalls calls, string[] loans, int worker, int clients, int n, Random random)
        {
            RecordRepaymentRequest? repayment = null;
            if (kind == "repay")
            {
                var share = (loans.Length - worker + clients - 1) / clients;
                repayment = new RecordRepaymentRequest
                {
                    RequestId = DanbaoClient.NewRequestId(), Name = loans[worker + clients * (n % Math.Max(1, share))], AmountFen = 100, PaidDate = "2026-06-01",
                };
            }
            if (n == 0)
            {
                await calls.CheckedAsync(kind, loans[0], repayment);
                return;
            }
            switch (kind)
            {
                case "repay":
                    await calls.RecordRepaymentAsync(repayment!);
                    break;
                case "get":
                    await calls.GetLoanAsync(new GetLoanRequest { Name = loans[random.Next(loans.Length)] });
                    break;
                case "list":
                    await calls.ListLoansAsync(new ListLoansRequest { PageSize = 50 });
                    break;
                default:
                    throw new ArgumentException($"unknown load {kind}");
            }
        }
    }

    /// <summary>CPU time and resident memory of another process, from /proc.</summary>
    internal static class ProcessStats
    {
        public const double TicksPerSecond = 100; // USER_HZ on Linux

        public static long CpuTicks(int pid)
        {
            if (pid <= 0)
            {
                return 0;
            }
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        /// <summary>CPU ticks of a process (Postgres' postmaster), its reaped children and its live children (the backends).</summary>
        public static long TreeTicks(int pid)
        {
            if (pid <= 0)
            {
                return 0;
            }
            var own = Fields(pid);
            var total = own is null ? 0 : own[11] + own[12] + own[13] + own[14];
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), out var child) && Fields(child) is { } f && f[1] == pid)
                {
                    total += f[11] + f[12];
                }
            }
            return total;
        }

        // /proc/PID/stat from field 3 (state) on, as numbers (state itself reads as 0); null when the process is gone.
        private static long[]? Fields(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')
                    .Select(x => long.TryParse(x, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static double RssMb(int pid) => StatusMb(pid, "VmRSS:");

        /// <summary>A field of /proc/PID/status in MB: VmRSS (resident now), VmHWM (the kernel's exact peak of it), RssAnon (heap and stacks, not mapped files).</summary>
        public static double StatusMb(int pid, string field)
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
            return 0;
        }

        /// <summary>
        /// Samples RSS every 50 ms until disposed and keeps the peak, overall and per phase (<see cref="Phase"/>), and the
        /// anonymous part's peak; <see cref="Summary"/> adds RSS at the start and the kernel's VmHWM (the process's lifetime peak).
        /// </summary>
        public sealed class RssSampler : IDisposable
        {
            private readonly CancellationTokenSource _stop = new();
            private readonly Task _loop;
            private readonly int _pid;
            private readonly double _startMb;
            private readonly Dictionary<string, double> _phasePeaks = new(StringComparer.Ordinal);
            private string _phase = "start";
            private double _peakMb;
            private double _anonPeakMb;
            private (double Anon, double File, double Shmem) _atPeak;

            public RssSampler(int pid)
            {
                _pid = pid;
                _startMb = pid <= 0 ? 0 : RssMb(pid);
                _loop = pid <= 0 ? Task.CompletedTask : Task.Run(async () =>
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        Sample();
                        try
                        {
                            await Task.Delay(50, _stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                });
            }

            private void Sample()
            {
                var rss = RssMb(_pid);
                lock (_phasePeaks)
                {
                    if (rss > _peakMb)
                    {
                        // What the peak is made of: the heap and stacks, mapped files (code), shared memory (JIT'd code, W^X).
                        _atPeak = (StatusMb(_pid, "RssAnon:"), StatusMb(_pid, "RssFile:"), StatusMb(_pid, "RssShmem:"));
                    }
                    _peakMb = Math.Max(_peakMb, rss);
                    _anonPeakMb = Math.Max(_anonPeakMb, StatusMb(_pid, "RssAnon:"));
                    _phasePeaks[_phase] = Math.Max(_phasePeaks.GetValueOrDefault(_phase), rss);
                }
            }

            /// <summary>Peaks sampled from now on are the named phase's.</summary>
            public void Phase(string name)
            {
                if (_pid <= 0)
                {
                    return;
                }
                Sample();
                lock (_phasePeaks)
                {
                    _phase = name;
                }
            }

            public double PeakMb
            {
                get
                {
                    _stop.Cancel();
                    _loop.Wait();
                    return _peakMb;
                }
            }

            /// <summary>Stops sampling: RSS at the start, the sampled peaks (overall, anonymous, per phase) and VmHWM, in MB.</summary>
            public object Summary()
            {
                var peak = PeakMb;
                return new
                {
                    start_mb = _startMb,
                    peak_mb = peak,
                    anon_peak_mb = _anonPeakMb,
                    at_peak_mb = new { anon = _atPeak.Anon, file = _atPeak.File, shmem = _atPeak.Shmem },
                    vmhwm_mb = _pid <= 0 ? 0 : StatusMb(_pid, "VmHWM:"),
                    phase_peaks_mb = _phasePeaks,
                };
            }

            public void Dispose() => _stop.Cancel();
        }
    }
}
