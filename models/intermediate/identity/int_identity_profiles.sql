{#-
  The input of probabilistic matching: profile records with only the identifier values that may link
  (junk, over-shared and non-linking values blanked, see int_identifier_values_guarded), and how many
  profile records carry each given name and surname (a misspelling is much rarer than the name it
  misspells; name comparisons and their weights use it; null where the name is missing).
  The counts are grouped and joined rather than windowed: at 1.8 M profile records the two windows took
  1.5 s, the grouping 0.4 s.
  profile_id is an integer stand-in for record_key (its 64-bit hash, tested unique) that the matching models
  block, join and group on: at a million profile records, comparing pairs took 4.9 s on the record keys'
  strings and 3.7 s on it. Only what matching reads is kept (source and time are in int_identity_records):
  this table is written once and read by seven models.
-#}

with

records as (
    select * from {{ ref('int_identity_records') }}
    where is_profile
),

first_name_counts as (
    select
        first_name_key,
        count(*) as first_name_frequency
    from records
    where first_name_key is not null
    group by first_name_key
),

last_name_counts as (
    select
        last_name_key,
        count(*) as last_name_frequency
    from records
    where last_name_key is not null
    group by last_name_key
),

guarded_values as (
    select * from {{ ref('int_identifier_values_guarded') }}
    where guard_decision = 'link'
),

final as (
    select
        records.record_key,
        {{ cdp.hash_integer('records.record_key') }} as profile_id,
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
        first_name_counts.first_name_frequency,
        last_name_counts.last_name_frequency
    from records
    left join first_name_counts
        on records.first_name_key = first_name_counts.first_name_key
    left join last_name_counts
        on records.last_name_key = last_name_counts.last_name_key
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
