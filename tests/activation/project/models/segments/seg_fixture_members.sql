{#-
  Stand-in for a segment model (models/segments/seg_*): one row per member, is_holdout, output columns.
  Unlike the real segments it keeps members without consent and erased members (their personal data null, as
  dim_customers has it), so the tests prove the engine's own consent check at send time.
-#}

with

people as (
    select * from {{ ref('fixture_people_revised') }}
),

final as (
    select
        people.customer_id,
        people.is_holdout,
        case when not people.is_erased then nullif(people.email, '') end as email,
        case when not people.is_erased then nullif(people.phone_e164, '') end as phone_e164,
        case when not people.is_erased then people.first_name end as first_name,
        case when not people.is_erased then people.last_name end as last_name,
        case when not people.is_erased then people.birth_date end as birth_date,
        case when not people.is_erased then people.gender end as gender,
        case when not people.is_erased then people.city end as city,
        case when not people.is_erased then people.postal_code end as postal_code,
        case when not people.is_erased then people.country_code end as country_code,
        people.lifetime_value,
        people.last_order_at
    from people
    where people.is_member
)

select * from final
