{#- A dimension of one code list of the submission contract (seed contract_code_lists, written
    by `thanrak publish-contract`): the code as the key, Thai and English names, the contract's order. -#}
{% macro code_list_dimension(code_list, key, key_type='text') %}
with codes as (
    select * from {{ ref('contract_code_lists') }}
    where code_list = '{{ code_list }}'
)

select
    code::{{ key_type }} as {{ key }},
    name_th,
    name_en,
    sort_order
from codes
{% endmacro %}
