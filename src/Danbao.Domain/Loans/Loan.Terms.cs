namespace Danbao.Domain.Loans;

public sealed partial class Loan
{
    /// <summary>
    /// Amends the contract date, amount, rate or counter-guarantee after submission and before
    /// disbursement (the bank signs after review). The amended terms are checked again under the
    /// policy of the new contract date (<see cref="LoanApproval.Check"/>: caps, term, rate cap,
    /// counter-guarantee); any failed rule refuses the amendment and leaves the loan unchanged.
    /// After disbursement the terms are what was lent: TERMS_LOCKED_AFTER_DISBURSEMENT.
    /// </summary>
    /// <param name="partnerCount">Partners of a partnership, founder included (as in <see cref="LoanTerms.PartnerCount"/>); ignored otherwise.</param>
    public Result<TermsAmendment> AmendTerms(TermsChange change, PolicyResolver policy, LprTable lpr, int partnerCount = 0)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(lpr);
        if (_data.DisbursementDate is not null || IsServicing(_data.State))
            return new Refusal(ReasonCodes.TermsLockedAfterDisbursement,
                $"the loan was disbursed{(_data.DisbursementDate is { } on ? $" on {on:yyyy-MM-dd}" : "")}: its terms can no longer be amended")
            {
                Details = new Dictionary<string, string> { ["state"] = _data.State.ToCode() },
            };
        if (LoanTransitions.IsTerminal(_data.State))
            return LoanTransitions.Illegal(_data.State, _data.State);
        var before = AmendableTerms.Of(_data);
        var after = new AmendableTerms(
            change.ContractDate ?? before.ContractDate,
            change.Amount ?? before.Amount,
            change.ContractRate ?? before.ContractRate,
            change.HasCounterGuarantee ?? before.HasCounterGuarantee);
        var terms = new LoanTerms
        {
            BorrowerType = _data.BorrowerType,
            Region = _data.Region,
            Amount = after.Amount,
            TermMonths = _data.TermMonths,
            ContractRate = after.ContractRate,
            ContractDate = after.ContractDate,
            HasCounterGuarantee = after.HasCounterGuarantee,
            PartnerCount = partnerCount,
        };
        var check = LoanApproval.Check(terms, policy, lpr);
        if (!check.IsApproved)
            return check.Assessment.Refusals[0];
        _data = WithVersions(_data with
        {
            ContractDate = after.ContractDate,
            Amount = after.Amount,
            ContractRate = after.ContractRate,
            CounterGuarantee = after.HasCounterGuarantee,
        }, check.Assessment.Versions);
        return new TermsAmendment(before, after, _data.State, check.Assessment.Versions);
    }

    private static bool IsServicing(LoanState state) => state is LoanState.Current or LoanState.Overdue or LoanState.Extended
        or LoanState.Settled or LoanState.Claimed or LoanState.Compensated or LoanState.Recovering or LoanState.WrittenOff or LoanState.Closed;
}
