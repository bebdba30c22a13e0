{#-
  The seeded people as of var('fixture_revision'). Revision 2 applies each row's revision_2_change: new_email,
  moved (city), left (the segment), joined, consent_withdrawn (every channel), erased, holdout.
-#}
{%- set revised = var('fixture_revision') | int >= 2 %}

with

people as (
    select * from {{ ref('fixture_people') }}
),

revised as (
    select
        people.customer_id,
        {%- if revised %}
            case when people.revision_2_change = 'new_email' then replace(people.email, '@', '.new@') else people.email end
                as email,
            case when people.revision_2_change = 'moved' then 'Lyon 3e' else people.city end as city,
            case
                when people.revision_2_change = 'left' then false
                when people.revision_2_change = 'joined' then true
                else people.is_member
            end as is_member,
            people.is_holdout or people.revision_2_change = 'holdout' as is_holdout,
            people.has_email_consent and people.revision_2_change <> 'consent_withdrawn' as has_email_consent,
            people.has_ads_personalisation_consent and people.revision_2_change <> 'consent_withdrawn'
                as has_ads_personalisation_consent,
            people.is_erased or people.revision_2_change = 'erased' as is_erased,
        {%- else %}
            people.email,
            people.city,
            people.is_member,
            people.is_holdout,
            people.has_email_consent,
            people.has_ads_personalisation_consent,
            people.is_erased,
        {%- endif %}
        people.phone_e164,
        people.first_name,
        people.last_name,
        people.birth_date,
        people.gender,
        people.postal_code,
        people.country_code,
        people.lifetime_value,
        people.last_order_at
    from people
),

final as (
    select
        revised.customer_id,
        revised.is_member,
        revised.is_holdout,
        revised.has_email_consent,
        revised.has_ads_personalisation_consent,
        revised.is_erased,
        revised.email,
        revised.phone_e164,
        revised.first_name,
        revised.last_name,
        revised.birth_date,
        revised.gender,
        revised.city,
        revised.postal_code,
        revised.country_code,
        revised.lifetime_value,
        revised.last_order_at
    from revised
)

select * from final
