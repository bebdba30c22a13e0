{#-
  The golden record: one row per customer with the best value of each attribute among the values its
  records offer (int_customer_attribute_candidates), and which record supplied it. Sources disagree (a typo
  in one system, an old address in another), so which value survives is decided by rules set in
  configuration (var cdp_golden_record_rules, see dbt_project.yml): per attribute, an ordered list among
  most_frequent, source_priority, most_recent, profiles_first, most_complete, longest and same_record_as,
  then the smallest record key, so the same data always gives the same record.
  Units that must stay consistent come from one record: e-mail with its matching form, and the street,
  postcode and city of the address (never the street of one record with the city of another); the country
  follows the address's record when that record has one (same_record_as: address).
-#}

{#- Per attribute: the columns that come together from the winning record, the matching key its frequency
    is counted on, and whether a record offers it when all of them are filled or when any column is. -#}
{%- set attributes = {
    'first_name': {
        'columns': ['first_name'],
        'match_keys': ['first_name_key'],
        'offered_when': 'all',
    },
    'last_name': {
        'columns': ['last_name'],
        'match_keys': ['last_name_key'],
        'offered_when': 'all',
    },
    'birth_date': {
        'columns': ['birth_date'],
        'match_keys': ['birth_date'],
        'offered_when': 'all',
    },
    'email': {
        'columns': ['email', 'email_normalized'],
        'match_keys': ['email_normalized'],
        'offered_when': 'all',
    },
    'phone_e164': {
        'columns': ['phone_e164'],
        'match_keys': ['phone_e164'],
        'offered_when': 'all',
    },
    'address': {
        'columns': ['street_address', 'postal_code', 'city'],
        'match_keys': ['address_key', 'postal_code', 'city_key'],
        'offered_when': 'any',
    },
    'country_code': {
        'columns': ['country_code'],
        'match_keys': ['country_code'],
        'offered_when': 'all',
    },
    'preferred_language': {
        'columns': ['preferred_language'],
        'match_keys': ['preferred_language'],
        'offered_when': 'all',
    },
} -%}
{%- set survivorship = cdp.golden_record_rules(attributes.keys() | list) -%}

with

candidates as (
    select * from {{ ref('int_customer_attribute_candidates') }}
),

{% for entry in survivorship %}
    {%- set attribute = entry.attribute %}
    {%- set spec = attributes[attribute] %}
    {%- set candidate_sql = cdp.golden_record_candidate_sql(entry, spec, 'candidates') %}

    {{ attribute }}_candidates as (
        select
            {%- for column in spec.columns %}
                candidates.{{ column }},
            {%- endfor %}
            {%- for expression in candidate_sql.ranking_columns %}
                {{ expression }},
            {%- endfor %}
            {%- if entry.depends_on %}
                {{ entry.depends_on }}_survivors.{{ entry.depends_on }}_source_record_key,
            {%- endif %}
            candidates.customer_id,
            candidates.record_key,
            candidates.source_table,
            candidates.is_profile,
            candidates.observed_at
        {%- if entry.depends_on %}
            from candidates
            left join {{ entry.depends_on }}_survivors
                on candidates.customer_id = {{ entry.depends_on }}_survivors.customer_id
        {%- else %}
            from candidates
        {%- endif %}
        where {{ candidate_sql.offered_when }}
    ),

    {{ attribute }}_ranked as (
        select
            *,
            row_number() over (
                partition by customer_id order by {{ cdp.golden_record_order_by(entry.rules) }}
            ) as survivor_rank
        from {{ attribute }}_candidates
    ),

    {{ attribute }}_survivors as (
        select
            customer_id,
            {%- for column in spec.columns %}
                {{ column }},
            {%- endfor %}
            record_key as {{ attribute }}_source_record_key,
            source_table as {{ attribute }}_source_table
        from {{ attribute }}_ranked
        where survivor_rank = 1
    ),
{% endfor %}

customer_summaries as (
    select
        customer_id,
        count(*) as record_count,
        count(case when is_profile then record_key end) as profile_record_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from candidates
    group by customer_id
),

customer_source_tables as (
    select distinct
        customer_id,
        source_table
    from candidates
),

customer_source_lists as (
    select
        customer_id,
        {{ cdp.listagg_sorted('source_table', "','") }} as source_tables
    from customer_source_tables
    group by customer_id
),

final as (
    select
        customer_summaries.customer_id,
        {%- for attribute, spec in attributes.items() %}
            {%- for column in spec.columns %}
                {{ attribute }}_survivors.{{ column }},
            {%- endfor %}
        {%- endfor %}
        {%- for attribute in attributes %}
            {{ attribute }}_survivors.{{ attribute }}_source_record_key,
            {{ attribute }}_survivors.{{ attribute }}_source_table,
        {%- endfor %}
        customer_summaries.record_count,
        customer_summaries.profile_record_count,
        customer_source_lists.source_tables,
        customer_summaries.first_seen_at,
        customer_summaries.last_seen_at
    from customer_summaries
    left join customer_source_lists
        on customer_summaries.customer_id = customer_source_lists.customer_id
    {%- for attribute in attributes %}
        left join {{ attribute }}_survivors
            on customer_summaries.customer_id = {{ attribute }}_survivors.customer_id
    {%- endfor %}
)

select * from final
