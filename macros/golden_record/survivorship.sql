{#-
  Survivorship rules of the golden record (int_customers_golden): which of a customer's candidate values of
  an attribute wins. The rules are configuration (var cdp_golden_record_rules, documented in
  dbt_project.yml); these macros check them and turn them into an ORDER BY, so a typo in a rule or a source
  name stops the build with a message instead of silently changing every customer's profile.
-#}

{#- The source tables whose records offer values (int_customer_attribute_candidates). -#}
{% macro golden_record_sources() -%}
  {{ return([
      'crm_contacts',
      'shop_customers',
      'loyalty_members',
      'shop_orders',
      'pos_transactions',
      'support_tickets',
      'web_anonymous_ids',
  ]) }}
{%- endmacro %}


{#-
  The rules of every attribute, checked, in the order the attributes must be resolved: an attribute with a
  same_record_as rule comes after the attribute it follows. Returns a list of
  {attribute, rules: [{rule, sources | attribute}], depends_on}.
-#}
{% macro golden_record_rules(attributes) -%}
  {%- set var_name = 'cdp_golden_record_rules' -%}
  {%- set simple_rules = ['most_recent', 'most_frequent', 'longest', 'most_complete', 'profiles_first'] -%}
  {%- set known_sources = cdp.golden_record_sources() -%}
  {%- set configured = var(var_name, none) -%}
  {%- if configured is not mapping -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ var_name ~ " must map each golden-record attribute (" ~ attributes | join(', ')
        ~ ") to a list of rules; got: " ~ configured) }}
  {%- endif -%}
  {%- set unknown = configured.keys() | reject('in', attributes) | list -%}
  {%- set missing = attributes | reject('in', configured.keys() | list) | list -%}
  {%- if unknown or missing -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ var_name ~ " must give rules for exactly these attributes: " ~ attributes | join(', ')
        ~ ("; unknown: " ~ unknown | join(', ') if unknown else "")
        ~ ("; missing: " ~ missing | join(', ') if missing else "")
        ~ " (the defaults are in the project's dbt_project.yml)") }}
  {%- endif -%}

  {%- set parsed = {} -%}
  {%- for attribute in attributes -%}
    {%- set where = "var " ~ var_name ~ ", attribute " ~ attribute -%}
    {%- set rules = configured[attribute] -%}
    {%- if rules is string or rules is mapping or rules is not iterable or rules | length == 0 -%}
      {{ exceptions.raise_compiler_error(where ~ ": expected a non-empty list of rules, got: " ~ rules) }}
    {%- endif -%}
    {%- set attribute_rules = [] -%}
    {%- set depends_on = [] -%}
    {%- for rule in rules -%}
      {%- if rule is string and rule in simple_rules -%}
        {%- do attribute_rules.append({'rule': rule}) -%}
      {%- elif rule is mapping and rule | length == 1 and 'source_priority' in rule -%}
        {%- set sources = rule['source_priority'] -%}
        {%- if sources is string or sources is not iterable or sources | length == 0 -%}
          {{ exceptions.raise_compiler_error(where ~ ": source_priority takes a non-empty list of source tables, got: " ~ sources) }}
        {%- endif -%}
        {%- set unknown_sources = sources | reject('in', known_sources) | list -%}
        {%- if unknown_sources -%}
          {{ exceptions.raise_compiler_error(
              where ~ ": unknown source table(s) " ~ unknown_sources | join(', ') ~ " in source_priority; known: "
              ~ known_sources | join(', ')) }}
        {%- endif -%}
        {%- if sources | unique | list | length != sources | length -%}
          {{ exceptions.raise_compiler_error(where ~ ": source_priority lists a source table twice: " ~ sources | join(', ')) }}
        {%- endif -%}
        {%- do attribute_rules.append({'rule': 'source_priority', 'sources': sources | list}) -%}
      {%- elif rule is mapping and rule | length == 1 and 'same_record_as' in rule -%}
        {%- set other = rule['same_record_as'] -%}
        {%- if other not in attributes or other == attribute -%}
          {{ exceptions.raise_compiler_error(where ~ ": same_record_as takes another attribute (" ~ attributes | join(', ') ~ "), got: " ~ other) }}
        {%- endif -%}
        {%- if depends_on -%}
          {{ exceptions.raise_compiler_error(where ~ ": at most one same_record_as rule") }}
        {%- endif -%}
        {%- do depends_on.append(other) -%}
        {%- do attribute_rules.append({'rule': 'same_record_as', 'attribute': other}) -%}
      {%- else -%}
        {{ exceptions.raise_compiler_error(
            where ~ ": unknown rule " ~ rule ~ "; a rule is one of " ~ simple_rules | join(', ')
            ~ ", {source_priority: [source tables]} or {same_record_as: attribute}") }}
      {%- endif -%}
    {%- endfor -%}
    {%- do parsed.update({attribute: {
        'attribute': attribute,
        'rules': attribute_rules,
        'depends_on': depends_on[0] if depends_on else none,
    }}) -%}
  {%- endfor -%}

  {#- Attributes that follow another one come last; the one they follow must not itself follow another. -#}
  {%- set ordered = [] -%}
  {%- for attribute in attributes if parsed[attribute].depends_on is none -%}
    {%- do ordered.append(parsed[attribute]) -%}
  {%- endfor -%}
  {%- for attribute in attributes if parsed[attribute].depends_on is not none -%}
    {%- set other = parsed[attribute].depends_on -%}
    {%- if parsed[other].depends_on is not none -%}
      {{ exceptions.raise_compiler_error(
          "var " ~ var_name ~ ", attribute " ~ attribute ~ ": same_record_as " ~ other
          ~ ", which itself has a same_record_as rule; chains are not supported") }}
    {%- endif -%}
    {%- do ordered.append(parsed[attribute]) -%}
  {%- endfor -%}
  {{ return(ordered) }}
{%- endmacro %}


{#-
  The ORDER BY of one attribute's candidates, best first: the rules in order, then record_key (in binary
  order, as on every engine) so that ties always resolve the same way. Reads the candidate columns source_table, is_profile, observed_at, record_key
  and, when a rule needs them, value_frequency, value_length, field_count and <attribute>_source_record_key.
-#}
{% macro golden_record_order_by(rules) -%}
  {%- set terms = [] -%}
  {%- for rule in rules -%}
    {%- if rule.rule == 'source_priority' -%}
      {%- set whens = [] -%}
      {%- for source in rule.sources -%}
        {%- do whens.append("when '" ~ source ~ "' then " ~ loop.index) -%}
      {%- endfor -%}
      {%- do terms.append('case source_table ' ~ whens | join(' ') ~ ' else ' ~ (rule.sources | length + 1) ~ ' end asc') -%}
    {%- elif rule.rule == 'most_recent' -%}
      {%- do terms.append('observed_at desc nulls last') -%}
    {%- elif rule.rule == 'most_frequent' -%}
      {%- do terms.append('value_frequency desc') -%}
    {%- elif rule.rule == 'longest' -%}
      {%- do terms.append('value_length desc') -%}
    {%- elif rule.rule == 'most_complete' -%}
      {%- do terms.append('field_count desc') -%}
    {%- elif rule.rule == 'profiles_first' -%}
      {%- do terms.append('case when is_profile then 0 else 1 end asc') -%}
    {%- elif rule.rule == 'same_record_as' -%}
      {%- do terms.append('case when record_key = ' ~ rule.attribute ~ '_source_record_key then 0 else 1 end asc') -%}
    {%- else -%}
      {{ exceptions.raise_compiler_error("cdp.golden_record_order_by: unknown rule " ~ rule) }}
    {%- endif -%}
  {%- endfor -%}
  {%- do terms.append(cdp.binary_order('record_key') ~ ' asc') -%}
  {{ return(terms | join(', ')) }}
{%- endmacro %}


{#-
  The SQL of one attribute's candidates: the ranking columns its rules need (value_frequency counted on the
  matching key, value_length, field_count) and when a record offers it ('all': every
  value column and matching key filled; 'any': at least one value column, e.g. a postcode and city without
  a street). spec: {columns, match_keys, offered_when} as declared in int_customers_golden.
-#}
{% macro golden_record_candidate_sql(entry, spec, relation) -%}
  {%- set rule_names = entry.rules | map(attribute='rule') | list -%}
  {%- set ranking_columns = [] -%}
  {%- if 'most_frequent' in rule_names -%}
    {%- set key_parts = [] -%}
    {%- for key in spec.match_keys -%}
      {%- do key_parts.append("coalesce(cast(" ~ relation ~ "." ~ key ~ " as " ~ dbt.type_string() ~ "), '')") -%}
      {%- if not loop.last %}{% do key_parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {%- set match_key = dbt.concat(key_parts) if key_parts | length > 1 else key_parts[0] -%}
    {%- do ranking_columns.append(
        "count(*) over (partition by " ~ relation ~ ".customer_id, " ~ match_key ~ ") as value_frequency") -%}
  {%- endif -%}
  {%- if 'longest' in rule_names -%}
    {%- set lengths = [] -%}
    {%- for column in spec.columns -%}
      {%- do lengths.append(
          "coalesce(" ~ dbt.length("cast(" ~ relation ~ "." ~ column ~ " as " ~ dbt.type_string() ~ ")") ~ ", 0)") -%}
    {%- endfor -%}
    {%- do ranking_columns.append(lengths | join(' + ') ~ ' as value_length') -%}
  {%- endif -%}
  {%- if 'most_complete' in rule_names -%}
    {%- set filled = [] -%}
    {%- for column in spec.columns -%}
      {%- do filled.append("case when " ~ relation ~ "." ~ column ~ " is not null then 1 else 0 end") -%}
    {%- endfor -%}
    {%- do ranking_columns.append(filled | join(' + ') ~ ' as field_count') -%}
  {%- endif -%}

  {%- if spec.offered_when == 'all' -%}
    {%- set checked = (spec.columns + spec.match_keys) | unique | list -%}
    {%- set operator = ' and ' -%}
  {%- elif spec.offered_when == 'any' -%}
    {%- set checked = spec.columns -%}
    {%- set operator = ' or ' -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("cdp.golden_record_candidate_sql: offered_when is 'all' or 'any', got: " ~ spec.offered_when) }}
  {%- endif -%}
  {%- set conditions = [] -%}
  {%- for column in checked -%}
    {%- do conditions.append(relation ~ "." ~ column ~ " is not null") -%}
  {%- endfor -%}

  {{ return({
      'ranking_columns': ranking_columns,
      'offered_when': '(' ~ conditions | join(operator) ~ ')',
  }) }}
{%- endmacro %}
