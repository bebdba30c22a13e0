{#-
  The seeded people as of var('fixture_revision'), times var('fixture_copies'). Revision 2 applies each row's
  revision_2_change: new_email, moved (city), left (the segment), joined, consent_withdrawn (every channel),
  erased, holdout.
-#}
{%- set revised = var('fixture_revision') | int >= 2 %}
{%- set copies = var('fixture_copies') | int %}

with

people as (
    select * from {{ ref('fixture_people') }}
),

copies as (
    {%- for copy in range(copies) %}
        select {{ copy }} as copy_number
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

copied as (
    select
        people.*,
        copies.copy_number,
        case
            when copies.copy_number = 0 then people.customer_id
            else {{ dbt.concat(["people.customer_id", "'-'", "cast(copies.copy_number as " ~ dbt.type_string() ~ ")"]) }}
        end as copied_customer_id
    from people
    cross join copies
),

revised as (
    select
        copied.copied_customer_id as customer_id,
        {%- if revised %}
            case when copied.revision_2_change = 'new_email' then replace(copied.email, '@', '.new@') else copied.email end
                as email,
            case when copied.revision_2_change = 'moved' then 'Lyon 3e' else copied.city end as city,
            case
                when copied.revision_2_change = 'left' then false
                when copied.revision_2_change = 'joined' then true
                else copied.is_member
            end as is_member,
            copied.is_holdout or copied.revision_2_change = 'holdout' as is_holdout,
            copied.has_email_consent and copied.revision_2_change <> 'consent_withdrawn' as has_email_consent,
            copied.has_ads_personalisation_consent and copied.revision_2_change <> 'consent_withdrawn'
                as has_ads_personalisation_consent,
            copied.is_erased or copied.revision_2_change = 'erased' as is_erased,
        {%- else %}
            copied.email,
            copied.city,
            copied.is_member,
            copied.is_holdout,
            copied.has_email_consent,
            copied.has_ads_personalisation_consent,
            copied.is_erased,
        {%- endif %}
        copied.copy_number,
        copied.phone_e164,
        copied.first_name,
        copied.last_name,
        copied.birth_date,
        copied.gender,
        copied.postal_code,
        copied.country_code,
        copied.lifetime_value,
        copied.last_order_at
    from copied
),

final as (
    select
        revised.customer_id,
        revised.is_member,
        revised.is_holdout,
        revised.has_email_consent,
        revised.has_ads_personalisation_consent,
        revised.is_erased,
        case
            when revised.copy_number = 0 or revised.email is null or revised.email = '' then revised.email
            else {{ dbt.concat(["'c'", "cast(revised.copy_number as " ~ dbt.type_string() ~ ")", "'.'", "revised.email"]) }}
        end as email,
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
