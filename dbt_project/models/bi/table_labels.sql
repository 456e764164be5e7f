-- Every table and view of marts and bi with its Thai and English label and description, the
-- texts of their comments (macros/labels.sql).
with labels as (
    {{ label_rows('table') }}
)

select * from labels
