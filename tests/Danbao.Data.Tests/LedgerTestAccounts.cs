using Danbao.Data.Accounting;
using Npgsql;

namespace Danbao.Data.Tests;

/// <summary>A small chart of accounts for a fund and a bank, with a per-test prefix so tests sharing a database never collide.</summary>
internal sealed class LedgerTestAccounts
{
    public LedgerTestAccounts(string? tag = null)
    {
        tag ??= Guid.NewGuid().ToString("N")[..8];
        Fund = $"GZ-FUND-{tag}";
        Bank = $"ICBC-GZ-{tag}";
        Capital = $"fund:{Fund}:capital";
        Cash = $"fund:{Fund}:cash";
        CompensationPaid = $"fund:{Fund}:compensation_expense";
        BankReceivable = $"bank:{Bank}:compensation_receivable";
        BankGuaranteed = $"bank:{Bank}:guaranteed_outstanding";
        GuaranteeCommitment = $"fund:{Fund}:guarantee_commitment";
    }

    public string Fund { get; }
    public string Bank { get; }
    public string Capital { get; }
    public string Cash { get; }
    public string CompensationPaid { get; }
    public string BankReceivable { get; }
    public string BankGuaranteed { get; }
    public string GuaranteeCommitment { get; }

    public IReadOnlyList<string> All => [Capital, Cash, CompensationPaid, BankReceivable, BankGuaranteed, GuaranteeCommitment];

    public async Task OpenAsync(Ledger ledger, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(Capital, LedgerAccountType.Equity, Fund));
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(Cash, LedgerAccountType.Asset, Fund));
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(CompensationPaid, LedgerAccountType.Expense, Fund));
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(BankReceivable, LedgerAccountType.Asset, Bank));
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(BankGuaranteed, LedgerAccountType.Asset, Bank));
        await ledger.OpenAccountAsync(connection, transaction, new LedgerAccount(GuaranteeCommitment, LedgerAccountType.Liability, Fund));
    }

    public LedgerTransactionRequest CapitalInjection(long amountFen, DateOnly businessDate, string? requestId = null) => new()
    {
        Kind = "capital_injection",
        CauseType = "fund",
        CauseId = Fund,
        RequestId = requestId ?? "req-" + Guid.NewGuid(),
        FundingSource = "municipal_finance",
        PolicyVersions = ["GZ-2024-2"],
        BusinessDate = businessDate,
        Postings = [LedgerPosting.Debit(Cash, amountFen), LedgerPosting.Credit(Capital, amountFen)],
    };

    /// <summary>Compensation per policy §9 example 7 (8:2): the fund pays its share of the base to the bank.</summary>
    public LedgerTransactionRequest Compensation(long fundShareFen, DateOnly businessDate, string? requestId = null) => new()
    {
        Kind = "compensation",
        CauseType = "loan",
        CauseId = "L-1",
        RequestId = requestId ?? "req-" + Guid.NewGuid(),
        PolicyVersions = ["GZ-2024-2", "national-2023-75"],
        BusinessDate = businessDate,
        Postings = [LedgerPosting.Debit(CompensationPaid, fundShareFen), LedgerPosting.Credit(Cash, fundShareFen)],
    };
}
