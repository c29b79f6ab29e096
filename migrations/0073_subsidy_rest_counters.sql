-- A review's rule for the rest (approve_all, or reject the rest) decides every line still PENDING and filed ON_TIME;
-- counting them per verdict flag (how many, and their payable total) was one aggregate scan of the claim's lines at
-- review, ~2 s of PostgreSQL at a million lines. They are counters of the claim from now on, kept like the others:
-- filing adds each batch's (the C# tally, no per-line SQL), a review moves them by the named lines' summary after less
-- before and empties them by the rule's decision. NOT_PAYABLE lines are REJECTED when filed, so three flags suffice.
alter table subsidy_claims
    add column rest_lines_matching             integer not null default 0,
    add column rest_lines_differing            integer not null default 0,
    add column rest_lines_ineligible_days      integer not null default 0,
    add column rest_payable_matching_fen       bigint  not null default 0,
    add column rest_payable_differing_fen      bigint  not null default 0,
    add column rest_payable_ineligible_days_fen bigint not null default 0;

-- Claims not yet reviewed: counted from their lines. A REVIEWED or SETTLED claim's rest is decided (an approved rest's
-- rows stay PENDING, 0070, but the rule no longer covers them), so its counters stay 0.
update subsidy_claims c
set rest_lines_matching = r.matching, rest_lines_differing = r.differing, rest_lines_ineligible_days = r.ineligible,
    rest_payable_matching_fen = r.matching_fen, rest_payable_differing_fen = r.differing_fen,
    rest_payable_ineligible_days_fen = r.ineligible_fen
from (select claim_id,
             count(*) filter (where flag = 'MATCHES')::int as matching,
             count(*) filter (where flag = 'DIFFERS')::int as differing,
             count(*) filter (where flag = 'INELIGIBLE_DAYS')::int as ineligible,
             coalesce(sum(payable_subsidy_fen) filter (where flag = 'MATCHES'), 0)::bigint as matching_fen,
             coalesce(sum(payable_subsidy_fen) filter (where flag = 'DIFFERS'), 0)::bigint as differing_fen,
             coalesce(sum(payable_subsidy_fen) filter (where flag = 'INELIGIBLE_DAYS'), 0)::bigint as ineligible_fen
      from subsidy_claim_lines
      where decision = 'PENDING' and late_filing = 'ON_TIME'
      group by claim_id) r
where r.claim_id = c.id and c.state in ('DRAFT', 'SUBMITTED');

-- What the database can hold cheaply (one row per claim update): never negative, never more lines than the flag's,
-- and nothing left once the review has decided the rest. Whether they equal the lines is `danbao verify`'s.
alter table subsidy_claims
    add constraint subsidy_claims_rest_counters_not_negative check (
        rest_lines_matching >= 0 and rest_lines_differing >= 0 and rest_lines_ineligible_days >= 0
        and rest_payable_matching_fen >= 0 and rest_payable_differing_fen >= 0 and rest_payable_ineligible_days_fen >= 0),
    add constraint subsidy_claims_rest_counters_within_flags check (
        rest_lines_matching <= lines_matching and rest_lines_differing <= lines_differing
        and rest_lines_ineligible_days <= lines_ineligible_days),
    add constraint subsidy_claims_rest_counters_empty_after_review check (
        state in ('DRAFT', 'SUBMITTED')
        or (rest_lines_matching, rest_lines_differing, rest_lines_ineligible_days,
            rest_payable_matching_fen, rest_payable_differing_fen, rest_payable_ineligible_days_fen) = (0, 0, 0, 0, 0, 0));
