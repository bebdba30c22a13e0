{#-
  The input of probabilistic matching: profile records with only the identifier values that may link
  (junk, over-shared and non-linking values blanked, see int_identifier_values_guarded), and how many
  profile records carry each given name and surname (a misspelling is much rarer than the name it
  misspells; name comparisons and their weights use it).
-#}

with

records as (
    select * from {{ ref('int_identity_records') }}
    where is_profile
),

guarded_values as (
    select * from {{ ref('int_identifier_values_guarded') }}
    where guard_decision = 'link'
),

final as (
    select
        records.record_key,
        records.source_table,
        records.record_id,
        records.first_name_key,
        records.last_name_key,
        records.birth_date,
        linking_emails.identifier_value as email_normalized,
        linking_phones.identifier_value as phone_e164,
        linking_other_phones.identifier_value as other_phone_e164,
        linking_phones.is_mobile_phone as phone_is_mobile,
        linking_other_phones.is_mobile_phone as other_phone_is_mobile,
        records.postal_code_key,
        records.city_key,
        records.address_key,
        records.country_code,
        records.observed_at,
        count(*) over (partition by records.first_name_key) as first_name_frequency,
        count(*) over (partition by records.last_name_key) as last_name_frequency
    from records
    left join guarded_values as linking_emails
        on
            linking_emails.identifier_type = 'email'
            and records.email_normalized = linking_emails.identifier_value
    left join guarded_values as linking_phones
        on
            linking_phones.identifier_type = 'phone'
            and records.phone_e164 = linking_phones.identifier_value
    left join guarded_values as linking_other_phones
        on
            linking_other_phones.identifier_type = 'phone'
            and records.other_phone_e164 = linking_other_phones.identifier_value
)

select * from final
