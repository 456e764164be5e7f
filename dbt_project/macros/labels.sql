-- sqlfluff:exclude_rules:LT02,ST06,ST07,ST09,LT09,LT14,RF02,AL03
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- Thai and English labels of the marts and bi relations and their columns (docs/bi.md,
    "Labels"). One source: each model's, seed's and column's YAML, where `description` is the
    English description and `config.meta` holds the rest:

        description: DOPA province code (2 digits) of the reporting province
        config:
          meta: {label_th: รหัสจังหวัด, label_en: Province code, description_th: ...}

    description_th may be left out when the Thai label says it all: it then is the label. Two
    readers of the same four texts: the database comments (persist_docs, below) and the views
    bi.table_labels and bi.column_labels (label_rows()). -#}

{#- The four texts of a node or column (a dict of the manifest), description_th defaulting to
    label_th. Column meta is under `config.meta` since dbt 1.10, `meta` before. -#}
{% macro thanrak_labels(doc) -%}
    {%- set config_meta = (doc.get('config') or {}).get('meta') or {} -%}
    {%- set meta = {} -%}
    {%- do meta.update(doc.get('meta') or {}) -%}
    {%- do meta.update(config_meta) -%}
    {%- set label_th = (meta.get('label_th') or '') | trim -%}
    {%- do return({
        'label_th': label_th,
        'label_en': (meta.get('label_en') or '') | trim,
        'description_th': (meta.get('description_th') or label_th) | trim,
        'description_en': (doc.get('description') or '') | trim,
    }) -%}
{%- endmacro %}

{#- The one string a tool shows (a PostgreSQL comment): Thai first, then English, each half
    "label: description" (the label left out where the description starts with it):

        คีย์ยอดขาย: คีย์ของแถว (จังหวัด ผู้ผลิต ...) / Sale key: Surrogate key (province, producer, ...)

    Thai first because the marts' readers are CDD's planners and analysts, and a tool that cuts
    a long comment short (a tooltip, a grid cell) still shows the Thai label; the column's own
    name is English already. Each half reads on its own, for a reader of one language. -#}
{% macro thanrak_comment(doc) -%}
    {%- set texts = thanrak_labels(doc) -%}
    {%- set halves = [] -%}
    {%- for language in ['th', 'en'] -%}
        {%- set label = texts['label_' ~ language] -%}
        {%- set description = texts['description_' ~ language] -%}
        {%- if description and not description.lower().startswith(label.lower()) -%}
            {%- do halves.append(label ~ ': ' ~ description if label else description) -%}
        {%- elif description -%}
            {%- do halves.append(description) -%}
        {%- elif label -%}
            {%- do halves.append(label) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(halves | join(' / ')) -%}
{%- endmacro %}

{#- dbt's persist_docs for PostgreSQL (the relation's and its columns' comments), with the
    comment of thanrak_comment(), and only the comments that differ from the ones the relation
    has: one catalog query, then nothing to write on a night when no YAML changed. It matters
    for the incremental facts, whose table survives the run (dbt would comment every column of
    them on every run); a table or view built anew has no comments and gets them all. -#}
{% macro postgres__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set for_relation = for_relation and config.persist_relation_docs() -%}
    {%- set for_columns = for_columns and config.persist_column_docs() and model.columns -%}
    {%- if for_relation or for_columns -%}
        {%- set oid = "to_regclass('" ~ relation.include(database=false) ~ "')" -%}
        {%- set found = run_query(
            "select null::text, obj_description(" ~ oid ~ ", 'pg_class')"
            ~ " union all"
            ~ " select attname::text, col_description(attrelid, attnum) from pg_attribute"
            ~ " where attrelid = " ~ oid ~ " and attnum > 0 and not attisdropped"
        ) -%}
        {%- set existing = {} -%}
        {%- for row in found.rows -%}
            {%- do existing.update({row[0]: row[1]}) -%}
        {%- endfor -%}
        {%- set statements = [] -%}
        {%- set comment = thanrak_comment(model) -%}
        {%- if for_relation and comment and comment != existing.get(none) -%}
            {%- do statements.append(alter_relation_comment(relation, comment) | trim) -%}
        {%- endif -%}
        {%- if for_columns -%}
            {%- for name, column in model.columns.items() -%}
                {%- set comment = thanrak_comment(column) -%}
                {%- set quoted = adapter.quote(name) if column.get('quote') else name -%}
                {%- if name in existing and comment and comment != existing[name] -%}
                    {%- do statements.append(
                        'comment on column ' ~ relation ~ '.' ~ quoted ~ ' is ' ~ postgres_escape_comment(comment) ~ ';'
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if statements -%}
            {%- do run_query(statements | join('\n')) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The rows of bi.table_labels (level 'table') or bi.column_labels (level 'column'): one per
    model and seed of the project built into marts or bi, or per column of their YAML, read from
    dbt's graph when the view is built (so any full build after a YAML change rebuilds it with
    the new texts). Parsing (and sqlfluff) see an empty select of the same columns. -#}
{% macro label_rows(level) -%}
    {%- set key_columns = ['schema_name', 'table_name'] + (['column_name'] if level == 'column' else []) -%}
    {%- set text_columns = ['label_th', 'label_en', 'description_th', 'description_en'] -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type in ['model', 'seed'] and node.package_name == project_name
                and node.schema in ['marts', 'bi'] -%}
                {%- set names = [node.schema, node.alias or node.name] -%}
                {%- set documented = [(names, node)] if level == 'table' else [] -%}
                {%- if level == 'column' -%}
                    {%- for column_name, column in node.columns.items() -%}
                        {%- do documented.append((names + [column_name], column)) -%}
                    {%- endfor -%}
                {%- endif -%}
                {%- for keys, doc in documented -%}
                    {%- set texts = thanrak_labels(doc) -%}
                    {%- set values = [] -%}
                    {%- for value in keys -%}
                        {%- do values.append(value) -%}
                    {%- endfor -%}
                    {%- for column in text_columns -%}
                        {%- do values.append(texts[column]) -%}
                    {%- endfor -%}
                    {%- set values = values | map('replace', "'", "''") | list -%}
                    {%- do rows.append("('" ~ values | join("', '") ~ "')") -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if rows -%}
    select * from (
        values
        {{ rows | join(',\n        ') }}
    ) as labels ({{ (key_columns + text_columns) | join(', ') }})
    {%- else -%}
    select
        {%- for column in key_columns + text_columns %}
        null::text as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
    {%- endif -%}
{%- endmacro %}
