-- Review and settlement of a million-line claim without rewriting a million line rows (issue 13).
--
-- 1. A review's rule for the lines it does not name (approve_all) is a decision of the claim, kept here: a line
--    still PENDING and filed on time in a claim whose rest is approved is APPROVED at its payable amount
--    (payable_subsidy_fen, stored at filing). A rejected rest is still written line by line at review: a rejected
--    line must leave the "one live line per loan and quarter" index at once, so a corrected line can be filed.
alter table subsidy_claims
    add column rest_approved boolean not null default false,
    add constraint subsidy_claims_rest_rule_after_review check (not rest_approved or state in ('REVIEWED', 'SETTLED'));

-- 2. Settlement writes the ledger's statement lines and the claim's state, not the lines: a line of a SETTLED claim
--    approved (by name, or by the approved rest) at a positive amount is PAID, at its payable amount. Rows settled
--    before this migration say PAID themselves. Readers of paid lines read them here.
create view subsidy_paid_lines as
select l.claim_id, l.loan_id, l.bank_id, l.quarter_start, l.district, l.formula, l.period_start, l.period_end, l.days,
       l.excluded_days, l.expected_interest_fen, l.payable_subsidy_fen as paid_subsidy_fen,
       c.region_code as claim_region_code, c.quarter_start as claim_quarter_start, c.settled_date
from subsidy_claims c join subsidy_claim_lines l on l.claim_id = c.id
where c.state = 'SETTLED' and l.payable_subsidy_fen > 0
  and (l.decision in ('APPROVED', 'PAID') or (c.rest_approved and l.decision = 'PENDING' and l.late_filing = 'ON_TIME'));

-- 3. So a paid line stays final: no line of a SETTLED claim changes (a paid one, and no other that could become
--    live or paid), and no line moves to another claim. The claim's row is locked (share) before its state is read,
--    so a settlement in flight is waited for and then seen, and a settlement waits for an update in flight to commit
--    before it reads the lines. An AFTER trigger: a BEFORE row trigger would lock (and WAL-log) every updated row
--    (0069). It runs for every updated line, a few thousand at most but for a review that rejects the rest of a
--    large claim. Deletes stay refused (0052).
create function subsidy_settled_claim_line_is_final() returns trigger language plpgsql as $$
begin
    if new.claim_id is distinct from old.claim_id then
        raise exception 'subsidy claim line (%, %) cannot move to claim %', old.claim_id, old.loan_id, new.claim_id
            using errcode = 'check_violation';
    end if;
    if (select state from subsidy_claims where id = old.claim_id for share) = 'SETTLED' then
        raise exception 'subsidy claim line (%, %) is paid and final: its claim is settled', old.claim_id, old.loan_id
            using errcode = 'check_violation';
    end if;
    return null;
end;
$$;
create trigger subsidy_claim_lines_settled_final after update on subsidy_claim_lines
    for each row execute function subsidy_settled_claim_line_is_final();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select on subsidy_paid_lines to danbao_app;
    end if;
end;
$$;
