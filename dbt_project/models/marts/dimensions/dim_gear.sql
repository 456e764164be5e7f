{{ code_list_dimension('gear', 'gear_code', 'smallint') }}
