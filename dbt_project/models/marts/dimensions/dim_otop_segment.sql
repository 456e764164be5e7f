{{ code_list_dimension('otop_segment', 'segment_code') }}
