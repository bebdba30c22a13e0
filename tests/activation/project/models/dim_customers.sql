{#- Stand-in for the Customer 360's dim_customers: the columns activation reads at send time. -#}

with

people as (
    select * from {{ ref('fixture_people_revised') }}
),

final as (
    select
        people.customer_id,
        people.is_erased,
        not people.is_erased and people.has_email_consent as has_email_consent,
        not people.is_erased and people.has_ads_personalisation_consent as has_ads_personalisation_consent
    from people
)

select * from final
