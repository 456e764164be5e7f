-- A foreign key on raw rows costs a lookup of ops.submission for every row COPY writes (the
-- benchmark measured raw tables at about half the speed of a plain table). Every raw row is
-- written in the same transaction that claims its manifest row, so lineage cannot dangle;
-- the primary key (submission_id, source_row) stays, so nothing can be loaded twice.
alter table raw.activities drop constraint activities_submission_id_fkey;
alter table raw.otop_sales drop constraint otop_sales_submission_id_fkey;
alter table raw.knn_plot_progress drop constraint knn_plot_progress_submission_id_fkey;
alter table raw.budget_disbursement drop constraint budget_disbursement_submission_id_fkey;
alter table raw.bmn_households drop constraint bmn_households_submission_id_fkey;
