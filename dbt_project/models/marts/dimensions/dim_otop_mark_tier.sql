{{ code_list_dimension('otop_mark_tier', 'mark_tier_code') }}
