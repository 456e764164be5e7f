{{ code_list_dimension('partner_sector', 'partner_sector_code') }}
