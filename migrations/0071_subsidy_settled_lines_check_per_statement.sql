-- 0070's rule (no line of a SETTLED claim changes, no line moves between claims) ran a PL/pgSQL function for every
-- updated line: ~9 µs a line, 8 s more for a review that rejects the rest of a million-line claim. The same rule, per
-- statement: the move check stays per row but only fires, by its WHEN clause (evaluated without PL/pgSQL), for a row
-- whose claim changed; the settled check reads the statement's old rows once, locking each claim they belong to
-- (share) before reading its state, so a settlement in flight is waited for and then seen, as before.
drop trigger subsidy_claim_lines_settled_final on subsidy_claim_lines;
drop function subsidy_settled_claim_line_is_final();

create function subsidy_claim_line_stays_in_its_claim() returns trigger language plpgsql as $$
begin
    raise exception 'subsidy claim line (%, %) cannot move to claim %', old.claim_id, old.loan_id, new.claim_id
        using errcode = 'check_violation';
end;
$$;
create trigger subsidy_claim_lines_stay_in_claim after update on subsidy_claim_lines
    for each row when (old.claim_id is distinct from new.claim_id) execute function subsidy_claim_line_stays_in_its_claim();

create function subsidy_settled_claim_lines_are_final() returns trigger language plpgsql as $$
declare
    bad record;
begin
    perform 1 from subsidy_claims where id in (select distinct claim_id from old_lines) order by id for share;
    select o.claim_id, o.loan_id into bad
    from old_lines o join subsidy_claims c on c.id = o.claim_id
    where c.state = 'SETTLED'
    limit 1;
    if found then
        raise exception 'subsidy claim line (%, %) is paid and final: its claim is settled', bad.claim_id, bad.loan_id
            using errcode = 'check_violation';
    end if;
    return null;
end;
$$;
create trigger subsidy_claim_lines_settled_final after update on subsidy_claim_lines
    referencing old table as old_lines
    for each statement execute function subsidy_settled_claim_lines_are_final();
