-- A review's rule for the lines it does not name (approve_all) is a decision of the claim, kept here, not
-- written into a million line rows: a line still PENDING and filed on time in a claim whose rest is approved
-- is APPROVED at its payable amount (payable_subsidy_fen, stored at filing) for every reader, and settlement
-- pays it (PENDING → PAID) with the approved lines. A rejected rest is still written line by line at review:
-- a rejected line must leave the "one live line per loan and quarter" index at once.
alter table subsidy_claims
    add column rest_approved boolean not null default false,
    add constraint subsidy_claims_rest_rule_after_review check (not rest_approved or state in ('REVIEWED', 'SETTLED'));
