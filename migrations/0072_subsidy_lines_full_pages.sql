-- 0066 left half of each page of subsidy_claim_lines free (fillfactor 50) so that the review's and the settlement's
-- million updates were HOT. Since 0070 neither updates the lines (an approved rest is the claim's, a settled claim's
-- lines are paid by derivation), and the few updates left (lines decided by name, a rejected rest, late-filing
-- decisions) do not need the room: it only doubled the pages a million-line COPY writes and a review reads.
-- Pages filled from now on are packed; existing pages keep their rows.
alter table subsidy_claim_lines set (fillfactor = 100);
