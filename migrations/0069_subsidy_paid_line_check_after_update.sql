-- A BEFORE UPDATE row trigger makes PostgreSQL lock each row before updating it, whether or not its
-- WHEN clause fires: a review or settlement of a million lines wrote a million Heap/LOCK WAL records
-- (54 bytes each, half the statement's records) besides its million HOT updates. The same rule as an
-- AFTER trigger: its WHEN clause is evaluated on the row the update saw, nothing is locked for it, and
-- an update of a PAID line still fails (check_violation), rolling the statement back.
drop trigger subsidy_claim_lines_paid_final on subsidy_claim_lines;
create trigger subsidy_claim_lines_paid_final after update on subsidy_claim_lines
    for each row when (old.decision = 'PAID') execute function subsidy_paid_line_is_final();
