select * from {{ source('ref', 'calendar') }}
