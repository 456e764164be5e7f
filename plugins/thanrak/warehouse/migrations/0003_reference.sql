-- Reference data, filled by `thanrak migrate` from geothai (areas) and thanrak.thai_calendar.
create table ref.province (
    province_code   char(2) primary key,
    name_th         text    not null,
    name_en         text    not null,
    in_cdd_network  boolean not null
);
create table ref.amphoe (
    amphoe_code     char(4) primary key,
    province_code   char(2) not null references ref.province,
    name_th         text    not null,
    name_en         text    not null
);
create table ref.tambon (
    tambon_code     char(6) primary key,
    amphoe_code     char(4) not null references ref.amphoe,
    province_code   char(2) not null references ref.province,
    name_th         text    not null,
    name_en         text    not null,
    postal_codes    text[]  not null
);
-- Codes DOPA abolished: old records may still hold them; successors say where they went.
create table ref.abolished_area (
    area_code       text primary key,
    level           text not null,
    name_th         text not null,
    name_en         text,
    abolished_on    date not null,
    successor_codes text[] not null
);
create table ref.calendar (
    date_day             date primary key,
    year_ce              integer  not null,
    year_be              integer  not null,
    month                smallint not null,
    month_name_th        text     not null,
    month_abbr_th        text     not null,
    month_name_en        text     not null,
    calendar_quarter     smallint not null,
    fiscal_year_be       integer  not null,
    fiscal_quarter       smallint not null,
    fiscal_quarter_label text     not null,
    iso_weekday          smallint not null,
    is_weekend           boolean  not null
);
create table ref.load_state (
    source        text primary key,
    version       text not null,
    loaded_at     timestamptz not null default now()
);
