{{ code_list_dimension('value_chain_stage', 'value_chain_stage_code') }}
