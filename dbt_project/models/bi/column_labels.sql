-- Every column of marts and bi with its Thai and English label and description, for BI tools
-- that name columns from a table (a Power BI rename step, an Excel lookup). The same texts as
-- the columns' comments: both come from the models' YAML (macros/labels.sql).
with labels as (
    {{ label_rows('column') }}
)

select * from labels
