{{ code_list_dimension('smart_dimension', 'dimension_code') }}
