{#- The rows are unique over several columns (a small stand-in for dbt_utils, which would need
    a package download at build time). -#}
{% test unique_combination_of_columns(model, columns) %}
select {{ columns | join(', ') }}
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
