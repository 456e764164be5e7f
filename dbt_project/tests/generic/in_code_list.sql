{#- Accepted values for a code list of the submission contract, read from the seed
    `thanrak publish-contract` writes, so the list is never repeated in YAML. Null passes. -#}
{% test in_code_list(model, column_name, code_list) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }}::text not in (
        select code from {{ ref('contract_code_lists') }} where code_list = '{{ code_list }}'
    )
{% endtest %}
