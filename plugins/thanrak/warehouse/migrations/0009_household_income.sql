-- Contract v1 amendment: the household survey may carry the household's yearly income, so that
-- income per person can be checked against it and the number of members.
alter table raw.bmn_households add column household_income_baht numeric(16, 2);
