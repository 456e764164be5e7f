{#- Build into the schema a folder names (staging, marts, ...), not "<target>_<schema>":
    the schemas are created by Thanrak's migrations and granted to roles by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
