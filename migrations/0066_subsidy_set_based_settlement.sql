-- Set-based subsidy settlement at scale (issue 13 item 6): a million claim lines filed, reviewed and
-- settled within seconds, so a line row is written as cheaply as the database allows.
--
-- 1. What approval of a line pays is its verdict's (ClaimLineVerdict.Payable: never more than asked,
--    never more than computed), decided in C# when the line is filed and kept here, so a set-based
--    review writes the aggregate's figure (approved = payable) rather than computing one in SQL.
alter table subsidy_claim_lines
    add column payable_subsidy_fen bigint not null default 0 check (payable_subsidy_fen >= 0);

-- Lines filed before this migration: their payable amount is what approval paid or would pay (the
-- verdict's rule as it stood); paid lines are final, so their trigger is set aside for this backfill only.
alter table subsidy_claim_lines disable trigger subsidy_claim_lines_paid_final;
update subsidy_claim_lines set payable_subsidy_fen = least(subsidy_claimed_fen, expected_subsidy_fen)
where flag <> 'NOT_PAYABLE';
alter table subsidy_claim_lines enable trigger subsidy_claim_lines_paid_final;
alter table subsidy_claim_lines
    add constraint subsidy_claim_lines_payable_within_verdict
        check (payable_subsidy_fen <= expected_subsidy_fen and payable_subsidy_fen <= subsidy_claimed_fen
               and (flag <> 'NOT_PAYABLE' or payable_subsidy_fen = 0)),
    add constraint subsidy_claim_lines_approved_is_payable
        check (decision not in ('APPROVED', 'PAID') or approved_subsidy_fen = payable_subsidy_fen);

-- 2. Review and settlement change a line's decision only. An index whose key or predicate names
--    `decision` makes every such UPDATE write new index entries; with the "one live line per loan and
--    quarter" predicate on a generated `live` column (unchanged by PENDING → APPROVED → PAID) and room
--    left on each page, the updates are HOT: the row is rewritten in place, no index is touched.
alter table subsidy_claim_lines add column live boolean generated always as (decision <> 'REJECTED') stored;
drop index subsidy_claim_lines_one_live_per_loan_quarter;
create unique index subsidy_claim_lines_one_live_per_loan_quarter on subsidy_claim_lines (loan_id, quarter_start) where live;
-- The settlement report reaches a quarter's paid lines through the region's claims (a line of a quarter
-- sits in a claim of that quarter or a later one) and the primary key, not through an index on decision.
drop index subsidy_claim_lines_by_quarter;
alter table subsidy_claim_lines set (fillfactor = 50);

-- 3. The foreign key to subsidy_claims checked every inserted line with its own query: at a million
--    lines, two thirds of the filing's database time. Lines are written only by the claim's own
--    transaction, which holds the claim row locked (SubsidyStore), and a claim is never deleted
--    (enforced below), so the reference cannot break; `danbao verify` checks it.
alter table subsidy_claim_lines drop constraint subsidy_claim_lines_claim_id_fkey;
create trigger subsidy_claims_no_delete before delete on subsidy_claims
    for each row execute function refuse_mutation_of_append_only_table();
