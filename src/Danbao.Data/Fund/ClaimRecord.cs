namespace Danbao.Data.Fund;

/// <summary>A row of compensation_claims: a bank's compensation (代偿) claim and what became of it.</summary>
public sealed record ClaimRecord
{
    public required string Id { get; init; }
    public required string LoanId { get; init; }
    public required string BankId { get; init; }
    public required string FundId { get; init; }
    public required string RegionCode { get; init; }
    public required string State { get; init; }
    public required DateOnly ClaimDate { get; init; }
    public required int OverdueDays { get; init; }
    public required long OutstandingPrincipalFen { get; init; }
    public required long UnpaidInterestFen { get; init; }
    public required string BaseMode { get; init; }
    public required long BaseFen { get; init; }
    public required int FundShareBp { get; init; }
    public required long FundFen { get; init; }
    public required long BankFen { get; init; }
    public DateOnly? DecidedDate { get; init; }
    public string? RejectionReason { get; init; }
    public long RecoveredNetFen { get; init; }
    public long RecoveredFundFen { get; init; }
    public long RecoveredBankFen { get; init; }
    public long WrittenOffFundFen { get; init; }
    public long WrittenOffBankFen { get; init; }
    public DateOnly? WrittenOffDate { get; init; }
    public string? WriteOffEvidence { get; init; }
    public IReadOnlyList<string> PolicyVersionIds { get; init; } = [];
    public int Version { get; init; } = 1;

    public long UnrecoveredFundFen => FundFen - RecoveredFundFen - WrittenOffFundFen;
    public long UnrecoveredBankFen => BankFen - RecoveredBankFen - WrittenOffBankFen;
}

public sealed record ConsentRecord(string ClaimId, string Stage, string Party, string Institution, string Reference, DateOnly ConsentDate);

public sealed record RecoveryRecord(string ClaimId, DateOnly RecoveredDate, long GrossFen, long CostsFen, long NetFen, long FundFen, long BankFen);

/// <summary>One break between a bank's statement and the ledger.</summary>
public sealed record StatementBreakRecord(string LoanId, string Kind, long OursFen, long TheirsFen);

public sealed record StatementRecord(string Id, string BankId, DateOnly AsOfDate, int LinesReceived, int LoansMatched, int BreaksCount, long OursTotalFen, long TheirsTotalFen);
