{{ code_list_dimension('project_status', 'status_code') }}
