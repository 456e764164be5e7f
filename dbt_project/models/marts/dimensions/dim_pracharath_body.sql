{{ code_list_dimension('pracharath_body', 'body_code') }}
