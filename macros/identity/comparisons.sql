{#-
  How two profile records are compared, field by field, for probabilistic (Fellegi-Sunter) matching.
  Each comparison maps a pair to a level: higher = closer agreement, 0 = disagreement, null = not comparable
  (a side is missing). Match weights per level are estimated from the data (int_identity_match_weights);
  only the level definitions live here.
-#}

{% macro identity_comparisons() -%}
  {#- name -> number of levels (0 .. n-1) -#}
  {{ return({
      'email': 3,
      'phone': 4,
      'first_name': 3,
      'last_name': 3,
      'birth_date': 3,
      'location': 4,
  }) }}
{%- endmacro %}


{#-
  Two different names are a misspelling of one another when they are close (Jaro-Winkler at least
  cdp_identity_name_similarity) and one is much rarer than the other among profile records (seen once, or
  at most cdp_identity_misspelling_ratio times as often): 'teeo' / 'theo' is a typo, 'louise' / 'louis'
  are two people.
-#}
{% macro identity_is_misspelling(left, right, name) -%}
  (
    {# A typo adds, drops or changes a letter or two: 'mathilde' is not a misspelling of 'marie'. #}
    abs(length({{ left }}.{{ name }}_key) - length({{ right }}.{{ name }}_key)) <= 1
    and least({{ left }}.{{ name }}_frequency, {{ right }}.{{ name }}_frequency)
      < greatest({{ left }}.{{ name }}_frequency, {{ right }}.{{ name }}_frequency)
    and least({{ left }}.{{ name }}_frequency, {{ right }}.{{ name }}_frequency) <= greatest(
      1, {{ var('cdp_identity_misspelling_ratio', 0.1) }} * greatest({{ left }}.{{ name }}_frequency, {{ right }}.{{ name }}_frequency)
    )
    and {{ cdp.jaro_winkler_similarity(left ~ '.' ~ name ~ '_key', right ~ '.' ~ name ~ '_key') }} >= {{ var('cdp_identity_name_similarity', 0.8) }}
  )
{%- endmacro %}


{% macro identity_comparison_levels(left, right) -%}
  case
    when {{ left }}.email_normalized is null or {{ right }}.email_normalized is null then null
    when {{ left }}.email_normalized = {{ right }}.email_normalized then 2
    when
      {{ dbt.split_part(left ~ '.email_normalized', "'@'", 1) }} = {{ dbt.split_part(right ~ '.email_normalized', "'@'", 1) }}
      and {{ cdp.jaro_winkler_similarity(dbt.split_part(left ~ '.email_normalized', "'@'", 2), dbt.split_part(right ~ '.email_normalized', "'@'", 2)) }} >= 0.9
      then 1
    else 0
  end as email_level,
  {#- A mobile is one person's, a landline (or a number of unknown kind) may be the household's: sharing a
      mobile says more than sharing a landline, and two different mobiles disagree where a mobile on one record
      and a landline on the other say nothing (the weights of each level are learnt, see
      int_identity_match_weights). -#}
  case
    when coalesce({{ left }}.phone_e164, {{ left }}.other_phone_e164) is null
      or coalesce({{ right }}.phone_e164, {{ right }}.other_phone_e164) is null then null
    when ({{ left }}.phone_e164 = {{ right }}.phone_e164 and {{ left }}.phone_is_mobile)
      or ({{ left }}.phone_e164 = {{ right }}.other_phone_e164 and {{ left }}.phone_is_mobile)
      or ({{ left }}.other_phone_e164 = {{ right }}.phone_e164 and {{ left }}.other_phone_is_mobile)
      or ({{ left }}.other_phone_e164 = {{ right }}.other_phone_e164 and {{ left }}.other_phone_is_mobile) then 3
    when {{ left }}.phone_e164 = {{ right }}.phone_e164
      or {{ left }}.phone_e164 = {{ right }}.other_phone_e164
      or {{ left }}.other_phone_e164 = {{ right }}.phone_e164
      or {{ left }}.other_phone_e164 = {{ right }}.other_phone_e164 then 2
    when coalesce({{ left }}.phone_is_mobile or {{ left }}.other_phone_is_mobile, false)
      and coalesce({{ right }}.phone_is_mobile or {{ right }}.other_phone_is_mobile, false) then 0
    else 1
  end as phone_level,
  case
    when {{ left }}.first_name_key is null or {{ right }}.first_name_key is null then null
    when {{ left }}.first_name_key = {{ right }}.first_name_key then 2
    when {{ cdp.identity_is_misspelling(left, right, 'first_name') }} then 1
    {# Compound given names typed in part: 'jean' / 'jean pierre', 'marie' / 'marieclaire'. The longer
       name adds a whole second name (3 letters or more): 'louis' / 'louise' are two names. #}
    when length({{ left }}.first_name_key) >= 4 and length({{ right }}.first_name_key) >= 4
      and abs(length({{ left }}.first_name_key) - length({{ right }}.first_name_key)) >= 3
      and (
        {{ dbt.position(left ~ '.first_name_key', right ~ '.first_name_key') }} = 1
        or {{ dbt.position(right ~ '.first_name_key', left ~ '.first_name_key') }} = 1
      ) then 1
    else 0
  end as first_name_level,
  case
    when {{ left }}.last_name_key is null or {{ right }}.last_name_key is null then null
    when {{ left }}.last_name_key = {{ right }}.last_name_key then 2
    when replace(replace({{ left }}.last_name_key, ' ', ''), '-', '') = replace(replace({{ right }}.last_name_key, ' ', ''), '-', '') then 2
    when {{ cdp.identity_is_misspelling(left, right, 'last_name') }} then 1
    else 0
  end as last_name_level,
  case
    when {{ left }}.birth_date is null or {{ right }}.birth_date is null then null
    when {{ left }}.birth_date = {{ right }}.birth_date then 2
    {# One part mistyped, or day and month swapped. #}
    when (case when extract(year from {{ left }}.birth_date) = extract(year from {{ right }}.birth_date) then 1 else 0 end)
      + (case when extract(month from {{ left }}.birth_date) = extract(month from {{ right }}.birth_date) then 1 else 0 end)
      + (case when extract(day from {{ left }}.birth_date) = extract(day from {{ right }}.birth_date) then 1 else 0 end) >= 2
      then 1
    when extract(year from {{ left }}.birth_date) = extract(year from {{ right }}.birth_date)
      and extract(month from {{ left }}.birth_date) = extract(day from {{ right }}.birth_date)
      and extract(day from {{ left }}.birth_date) = extract(month from {{ right }}.birth_date)
      then 1
    else 0
  end as birth_date_level,
  case
    when {{ left }}.address_key = {{ right }}.address_key
      and ({{ left }}.postal_code_key = {{ right }}.postal_code_key or {{ left }}.city_key = {{ right }}.city_key) then 3
    when {{ left }}.postal_code_key = {{ right }}.postal_code_key and {{ left }}.city_key = {{ right }}.city_key then 2
    when {{ left }}.postal_code_key = {{ right }}.postal_code_key or {{ left }}.city_key = {{ right }}.city_key then 1
    when coalesce({{ left }}.postal_code_key, {{ left }}.city_key) is null
      or coalesce({{ right }}.postal_code_key, {{ right }}.city_key) is null then null
    else 0
  end as location_level
{%- endmacro %}


{#-
  Pairs that may never be linked whatever their score (configurable, var cdp_identity_vetoes: comparison ->
  the levels that veto), and the evidence a link needs (var cdp_identity_required_evidence: comparison ->
  minimum level, or a name -> {comparison: minimum level} that must all hold; at least one entry must hold).
  Household members share surname, address and landline; only individual attributes (e-mail, mobile, given
  name with the surname, birth date) can tell them apart, so they are required.
-#}
{% macro identity_is_vetoed(relation='') -%}
  {%- set prefix = relation ~ '.' if relation else '' -%}
  {%- set vetoes = var('cdp_identity_vetoes', {'first_name': [0], 'birth_date': [0]}) -%}
  {%- set required = var('cdp_identity_required_evidence', {
      'email': 1, 'phone': 3, 'full_name': {'first_name': 2, 'last_name': 1}, 'birth_date': 2,
  }) -%}
  (
    {%- for comparison, levels in vetoes.items() %}
    coalesce({{ prefix }}{{ comparison }}_level in ({{ levels | join(', ') }}), false) or
    {%- endfor %}
    not (
      {%- for evidence, level in required.items() %}
      {%- if level is mapping %}
      (
        {%- for comparison, comparison_level in level.items() %}
        coalesce({{ prefix }}{{ comparison }}_level >= {{ comparison_level }}, false){{ ' and' if not loop.last }}
        {%- endfor %}
      ){{ ' or' if not loop.last }}
      {%- else %}
      coalesce({{ prefix }}{{ evidence }}_level >= {{ level }}, false){{ ' or' if not loop.last }}
      {%- endif %}
      {%- endfor %}
    )
  )
{%- endmacro %}


{#-
  The veto part alone: the two records are known to be different people (different birth dates, different
  given names), whatever else they share.
-#}
{% macro identity_is_conflicting(relation='') -%}
  {%- set prefix = relation ~ '.' if relation else '' -%}
  {%- set vetoes = var('cdp_identity_vetoes', {'first_name': [0], 'birth_date': [0]}) -%}
  (
    {%- for comparison, levels in vetoes.items() %}
    coalesce({{ prefix }}{{ comparison }}_level in ({{ levels | join(', ') }}), false){{ ' or' if not loop.last }}
    {%- endfor %}
  )
{%- endmacro %}


{% macro identity_level_columns() -%}
  {%- set columns = [] -%}
  {%- for comparison in cdp.identity_comparisons() -%}
    {%- do columns.append(comparison ~ '_level') -%}
  {%- endfor -%}
  {{ return(columns) }}
{%- endmacro %}
