-- The pracharath_meetings rows of the files in force: the latest loaded revision of each
-- province × period slot (int_submissions_in_force), with the slot's province, period and revision.
{{ rows_in_force('stg_raw__pracharath_meetings') }}
