namespace Danbao.Data.Fund;

/// <summary>One break between a bank's statement and the ledger.</summary>
public sealed record StatementBreakRecord(string LoanId, string Kind, long OursFen, long TheirsFen);

public sealed record StatementRecord(string Id, string BankId, DateOnly AsOfDate, int LinesReceived, int LoansMatched, int BreaksCount, long OursTotalFen, long TheirsTotalFen);
