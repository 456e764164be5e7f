{{ code_list_dimension('programme', 'programme_code') }}
