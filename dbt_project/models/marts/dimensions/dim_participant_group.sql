{{ code_list_dimension('participant_group', 'participant_group_code') }}
