using Danbao.Data.Loans;
using Danbao.Domain.Subsidy;
using Danbao.Server.Calls;
using DomainLoan = Danbao.Domain.Loans.Loan;

namespace Danbao.Server.Loans;

/// <summary>
/// What a loan write decides on, loaded in one round trip: the write's scope, the locked row, the
/// aggregate rehydrated from it, its repayments (a decision that records one appends it, so the
/// reply shows it) and the principal the fund's ledger holds guaranteed for it.
/// </summary>
public sealed record LoanChange(WriteScope Scope, LoanRecord Record, DomainLoan Loan, List<RecordedRepayment> Repayments, long LedgerGuaranteed);
