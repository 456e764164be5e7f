{{ code_list_dimension('knn_activity', 'activity_code') }}
