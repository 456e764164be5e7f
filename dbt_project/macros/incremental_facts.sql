-- sqlfluff:exclude_rules:LT02
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- Incremental facts, on each run: first the rows of revisions no longer in force are deleted
    (delete_superseded_rows, the pre-hook), then the rows of files in force that the table does
    not hold yet are appended (only_new_revisions). A resubmission can drop rows or bring none at
    all; its predecessor's rows go either way. A key is never appended twice: the rows in force
    hold each key once (each fact's unique index), and the rows a new revision brings were its
    predecessor's, deleted first. The result equals a full refresh (tests/test_marts.py). -#}
{#- Both look up the few submissions concerned when the model runs and write them in as literals
    (like only_outdated_provinces), so that a night touching one file reads that file's rows
    through raw's primary key and the facts' submission_id index, whatever the planner's
    statistics say. A subquery instead was planned from ops.submission's statistics: never
    analysed (a server without autovacuum), it was expected to match one row, and the household
    fact's increment became a semi join scanning a national year (14 M rows) for 16 min. -#}
{% macro only_new_revisions(dataset) %}
    -- depends_on: {{ ref('int_submissions_in_force') }} {{ ref('stg_ops__submissions') }}
    {% if is_incremental() %}
    where submission_id in ({{ _submission_literals(_new_revisions_query(dataset)) }})
    {% endif %}
{% endmacro %}

{#- The fact's dataset, for its hooks: `meta={'dataset': …}` in its config(). -#}
{%- macro _fact_dataset() -%}
    {{- (config.get('meta') or {}).get('dataset') or exceptions.raise_compiler_error(
        this.identifier ~ ": an incremental fact names its dataset in config(meta={'dataset': …})") -}}
{%- endmacro -%}

{#- The fact's dataset's files in force whose rows the table does not hold yet. -#}
{%- macro _new_revisions_query(dataset) -%}
    select in_force.submission_id from {{ ref('int_submissions_in_force') }} as in_force
    where in_force.dataset = '{{ dataset }}'
      and not exists (select from {{ this }} as held where held.submission_id = in_force.submission_id)
{%- endmacro -%}

{#- Rows of loaded files that are no longer in force: their slot has a newer revision. The
    delete reads them through the submission_id index whatever the planner estimates: a file's
    rows were appended together and lie on few pages (one province's 510 k households: 17.6 k of
    the household fact's 504 k), but a bitmap scan is costed as if they were spread at random,
    and the planner chose to scan the whole national year instead (9.1 s against 0.5 s). The
    setting is put back as it was for the rest of the model's transaction. -#}
{% macro delete_superseded_rows() %}
    {% if is_incremental() %}
    {%- set seqscan = run_query('show enable_seqscan').columns[0].values()[0] if execute else 'on' -%}
    set local enable_seqscan = off;
    delete from {{ this }}
    where submission_id in ({{ _submission_literals(
        "select submission_id from " ~ ref('stg_ops__submissions') ~ " where status = 'loaded'"
        ~ " and dataset = '" ~ _fact_dataset() ~ "'"
        ~ " except select submission_id from " ~ ref('int_submissions_in_force')
    ) }});
    set local enable_seqscan = {{ seqscan }}
    {% else %}
    select 1
    {% endif %}
{% endmacro %}

{#- The submission ids `query` returns, as a literal list (null when none: `in (null)` matches
    nothing); the query itself while dbt only parses the project. -#}
{%- macro _submission_literals(query) -%}
    {%- if execute -%}
        {%- set ids = run_query(query).columns[0].values() | map('int') | map('string') | list -%}
        {{- ids | join(', ') if ids else 'null' -}}
    {%- else -%}
        {{- query -}}
    {%- endif -%}
{%- endmacro -%}

{#- The facts' second pre-hook: when the increment brings at least as many rows as the table
    holds (a year's first survey night: 14 M households into an empty fact), the table's indexes
    are dropped before the rows are appended, and create_missing_indexes() builds them again
    after (a sort per index instead of 14 M random inserts into each: the fact's survey night
    took 209 s with its indexes kept, 97 s so, 26 s of it the four indexes). The unique index
    then checks every row as it is built; all of it in the model's transaction, so a failure leaves
    the table and its indexes as they were. A smaller increment keeps the indexes: rebuilding
    them would read every row held. -#}
{% macro drop_indexes_before_large_increment() %}
    {%- set statements = [] -%}
    {%- if is_incremental() and execute and _is_large_increment(_fact_dataset()) == 'large' -%}
        {%- for index in _held_indexes().columns['indexname'].values() -%}
            {%- do statements.append('drop index ' ~ adapter.quote(this.schema) ~ '.' ~ adapter.quote(index)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ statements | join(';\n') if statements else 'select 1' }}
{% endmacro %}

{#- 'large' when the rows of the fact's new files (ops.submission's rows_loaded) are at least as
    many as the table holds (its statistics: analyze_after_build() keeps their count within
    10 % of it), 'small' when fewer, '' when the run is not incremental. -#}
{%- macro _is_large_increment(dataset) -%}
    {%- if is_incremental() and execute -%}
        {%- set sizes = run_query(
            "select coalesce(sum(submitted.rows_loaded), 0), (select greatest(reltuples, 0) from pg_class"
            ~ " where oid = '" ~ this.include(database=false) ~ "'::regclass)"
            ~ " from " ~ ref('stg_ops__submissions') ~ " as submitted"
            ~ " where submitted.submission_id in (" ~ _new_revisions_query(dataset) ~ ")"
        ).rows[0] -%}
        {{- 'large' if sizes[0] > 0 and sizes[0] >= sizes[1] else 'small' -}}
    {%- endif -%}
{%- endmacro -%}

{#- The end of a fact's select: a small increment's rows in the order of the key's unique index,
    so that the append walks the index's pages once, in order, instead of in random order (the
    household key is an md5: appending 510 k households to a 14 M-row fact took 4.4 s sorted
    against 8.1 s, with the index far larger than shared_buffers). A large increment (indexes built
    after the rows) and a full build need no order. -#}
{% macro in_key_order(key, dataset) %}
    {%- if _is_large_increment(dataset) == 'small' %}
    order by {{ key }}
    {%- endif %}
{% endmacro %}

{#- Each fact row's `built_at`: when the dbt invocation that appended it started. The rows of a
    model's newest build are the ones with its max(built_at) (an index on built_at makes that a
    probe): the facts' tests read only those (get_where_subquery below). -#}
{% macro built_at() -%}
    '{{ run_started_at }}'::timestamptz as built_at
{%- endmacro %}

{#- dbt's get_where_subquery (a test's `where` config), with one placeholder more:
    `__newest_build__` keeps the rows the model's newest build appended. dbt_project.yml sets it
    for every test of an append-only fact, so that a night that appended one province's file
    tests that file's rows, not the 14 M a national survey year holds. The tests are row-wise
    (not_null, relationships, code lists): rows built before were tested when they were built,
    and a full refresh (every row then has the newest built_at) tests them all again. A key's
    uniqueness is not row-wise: the facts' unique indexes hold it on every insert. The newest
    build, not this invocation, so that a test run on its own (a Cosmos LOCAL task, a retry)
    still reads those rows. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- if '__newest_build__' in where -%}
            {%- set where = where | replace('__newest_build__', _newest_build(relation)) -%}
        {%- endif -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The newest build's rows, its built_at read when the test is compiled (right before it runs)
    and written as a literal: the planner then estimates them from the column's statistics, and
    finds few when the statistics predate that build (an incremental build that changed little is
    not analysed, macros/statistics.sql). A subquery's value is unknown to the planner, which
    takes the table's rows / built_at's distinct values: on the night after a national survey
    year's first build, all 14 M rows, and a scan of the whole household fact (6.3 s a test)
    instead of a probe of the built_at index. The subquery when there is no table to read yet
    (`dbt compile` before the first build). -#}
{% macro _newest_build(relation) -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set newest = run_query('select max(built_at)::text from ' ~ relation).columns[0].values()[0] -%}
        {{- return("built_at = '" ~ newest ~ "'::timestamptz" if newest is not none else 'false') -}}
    {%- endif -%}
    {{- return('built_at = (select max(built_at) from ' ~ relation ~ ')') -}}
{%- endmacro %}

{#- A fact's indexes: its key, unique (checked on every insert: a test would read the whole table
    each night); submission_id, for the clean-up's and the increment's lookups; built_at, for the
    newest build's rows; and any `also` a fact's readers need. Called in each fact's config(); `key`
    is a column or a list of them. -#}
{% macro fact_indexes(key, also=[]) -%}
    {%- set indexes = [
        {'columns': [key] if key is string else key, 'unique': true},
        {'columns': ['submission_id']},
        {'columns': ['built_at']},
    ] -%}
    {%- for column in also -%}
        {%- do indexes.append({'columns': [column]}) -%}
    {%- endfor -%}
    {{ return(indexes) }}
{%- endmacro %}

{#- The facts' post-hooks keep a table's indexes those of its config: create_missing_indexes()
    creates the ones it lacks, drop_unconfigured_indexes() drops the ones dbt made for a config
    that no longer names them. dbt creates a model's indexes only with its table, and an
    incremental fact keeps its table: one built before an index was configured gets it here, on
    the next night (a unique one then also checks the rows held), and one whose key index changed
    stops paying for the old one on every insert. One catalog query each when nothing changes. -#}
{#- The indexes the table has now: pg_indexes' indexname and indexdef. -#}
{%- macro _held_indexes() -%}
    {{- return(run_query(
        "select indexname, indexdef from pg_indexes where schemaname = '" ~ this.schema
        ~ "' and tablename = '" ~ this.identifier ~ "'"
    )) -}}
{%- endmacro -%}

{#- Whether a held index's definition is that of a configured index: its columns, and unique or not. -#}
{%- macro _defines(definition, index) -%}
    {{- return(definition.endswith('(' ~ index['columns'] | join(', ') ~ ')')
        and (('UNIQUE' in definition) == (index.get('unique') or false))) -}}
{%- endmacro -%}

{% macro create_missing_indexes() %}
    {%- set statements = [] -%}
    {%- if execute -%}
        {%- set held = _held_indexes().columns['indexdef'].values() -%}
        {%- for index in config.get('indexes') or [] -%}
            {%- set found = [] -%}
            {%- for definition in held if _defines(definition, index) -%}
                {%- do found.append(definition) -%}
            {%- endfor -%}
            {%- if not found -%}
                {%- do statements.append(get_create_index_sql(this, index)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ statements | join(';\n') if statements else 'select 1' }}
{% endmacro %}

{#- Indexes dbt named (its 32 hex digits) that no configured index defines; an index a person
    created under a name of their own is left alone. -#}
{% macro drop_unconfigured_indexes() %}
    {%- set statements = [] -%}
    {%- if execute -%}
        {%- for name, definition in _held_indexes().rows -%}
            {%- set configured = [] -%}
            {%- for index in config.get('indexes') or [] if _defines(definition, index) -%}
                {%- do configured.append(index) -%}
            {%- endfor -%}
            {%- if modules.re.fullmatch('[0-9a-f]{32}', name) and not configured -%}
                {%- do statements.append('drop index ' ~ adapter.quote(this.schema) ~ '.' ~ adapter.quote(name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ statements | join(';\n') if statements else 'select 1' }}
{% endmacro %}
