{{ code_list_dimension('sector', 'sector_code') }}
