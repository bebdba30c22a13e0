{#-
  Parsing of amounts of money written as text by shops, tills and ad platforms, in the formats of several
  countries: "1234.56", "1 234,56 €", "1.234,56", "$1,234.56", "EUR 12.50", "CHF 12.-", "-5,00".

  The number rules are those of _number_canonical (macros/parse/scalars.sql): a single "," or "." followed by
  exactly 3 digits groups thousands ("1,234" = 1234), otherwise the last separator is the decimal one.
  Whole amounts written the Swiss/German way ("12.-", "12,-") are accepted. Amounts are rounded to cents.
-#}

{#- Amounts are decimal(18,2) on every engine (dbt's type_numeric differs in scale across adapters). -#}
{% macro type_money() -%}
  {{ return(api.Column.numeric_type('decimal', 18, 2)) }}
{%- endmacro %}


{#- Active ISO 4217 codes (plus HRK and ANG, still found in older exports). -#}
{% macro iso_currency_codes() -%}
  {{ return(var('cdp_currency_codes', [
      'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BHD',
      'BIF', 'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CLP', 'CNY',
      'COP', 'CRC', 'CUP', 'CVE', 'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP',
      'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HRK', 'HTG', 'HUF', 'IDR', 'ILS',
      'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY', 'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD',
      'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LYD', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU',
      'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN',
      'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK',
      'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TND', 'TOP',
      'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'UYU', 'UZS', 'VES', 'VND', 'VUV', 'WST', 'XAF', 'XCD',
      'XCG', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW', 'ZWG'
  ])) }}
{%- endmacro %}


{#- Symbols and words written next to amounts, upper-cased, and the code they stand for. -#}
{% macro currency_symbols() -%}
  {{ return(var('cdp_currency_symbols', {
      'EUR': ['€', 'EURO', 'EUROS'],
      'GBP': ['£'],
      'USD': ['$', 'US$'],
      'CAD': ['C$', 'CA$'],
      'AUD': ['A$', 'AU$'],
      'NZD': ['NZ$'],
      'HKD': ['HK$'],
      'SGD': ['S$'],
      'BRL': ['R$'],
      'MXN': ['MX$'],
      'JPY': ['¥'],
      'INR': ['₹'],
      'RUB': ['₽'],
      'TRY': ['₺'],
      'KRW': ['₩'],
      'ILS': ['₪'],
      'UAH': ['₴'],
      'THB': ['฿'],
  })) }}
{%- endmacro %}


{#-
  The whole-text shape of an amount: sign, currency before, sign, number, currency after. Groups: 1 and 3
  signs, 2 and 5 currency tokens, 4 the number. A currency token is 3 letters (checked against the ISO list
  later), a word for euro, a "$" with an optional country prefix, or a one-character symbol.
-#}
{% macro _money_pattern() -%}
  {%- set symbol_chars = [] -%}
  {%- for tokens in cdp.currency_symbols().values() -%}
    {%- for token in tokens if token | length == 1 and token != '$' -%}
      {%- do symbol_chars.append(token) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- set currency = '[A-Z]{3}|EUROS?|[A-Z]{0,2}[$]|[' ~ (symbol_chars | join('')) ~ ']' -%}
  {{ return('^([+-]?) ?(' ~ currency ~ ')? ?([+-]?) ?([0-9.,][0-9 .,\']*-?) ?(' ~ currency ~ ')?$') }}
{%- endmacro %}


{#-
  The ISO code a currency token (an upper-case text) stands for, else null; with `marks`, '' for an empty
  token and '?' for an unknown one instead of null.
-#}
{% macro _currency_code(token, marks=false) -%}
  {%- set body -%}
    case
      {%- if marks %}
      when cdp_currency_token = '' then ''
      {%- endif %}
      {%- for code, symbols in cdp.currency_symbols().items() %}
      when cdp_currency_token in ({{ cdp._sql_string_list(symbols) }}) then '{{ code }}'
      {%- endfor %}
      when cdp_currency_token in ({{ cdp._sql_string_list(cdp.iso_currency_codes()) }}) then cdp_currency_token
      {%- if marks %}
      else '?'
      {%- endif %}
    end
  {%- endset -%}
  {{ cdp.let_expression('cdp_currency_token', token, body) }}
{%- endmacro %}


{#-
  The decimal(18,2) amount of `expression`, null when the text is not a valid amount: unknown currency, two
  different currencies, two signs, a number shape that is not accepted, or more than 15 integer digits.
  money_issue derives its answer from this same expression, which DuckDB and Spark then compute once per row
  for both columns (common sub-expression elimination).
-#}
{% macro _money_amount(expression) -%}
  {%- set amount_from_parts -%}
    case
      when cdp_money_sign not in ('', '-', '+') then null
      when cdp_money_prefix_code = '?' or cdp_money_suffix_code = '?' then null
      when cdp_money_prefix_code <> '' and cdp_money_suffix_code <> ''
        and cdp_money_prefix_code <> cdp_money_suffix_code then null
      when {{ cdp.regexp_matches('cdp_money_number', '^0*[0-9]{0,15}([.][0-9]+)?$') }}
        then cast({{ dbt.concat(["case when cdp_money_sign = '-' then '-' else '' end", 'cdp_money_number']) }}
          as {{ cdp.type_money() }})
    end
  {%- endset -%}
  {%- set from_groups -%}
    {{ cdp.let_expression('cdp_money_prefix_code', cdp._currency_code('cdp_money_groups_g02', marks=true),
         cdp.let_expression('cdp_money_suffix_code', cdp._currency_code('cdp_money_groups_g05', marks=true),
         cdp.let_expression('cdp_money_sign', dbt.concat(['cdp_money_groups_g01', 'cdp_money_groups_g03']),
         cdp.let_expression('cdp_money_digits', 'trim(cdp_money_groups_g04)',
         cdp.let_expression('cdp_money_number', cdp._number_canonical('cdp_money_digits'),
           amount_from_parts))))) }}
  {%- endset -%}
  {%- set amount -%}
    case
      when {{ cdp.regexp_matches('cdp_money_text', cdp._money_pattern()) }}
        then {{ cdp.let_regex_groups('cdp_money_groups', 'cdp_money_text', cdp._money_pattern(), 5, from_groups) }}
    end
  {%- endset -%}
  {{ return(cdp.let_expression('cdp_money_text', cdp._number_text(expression), amount)) }}
{%- endmacro %}


{#- The amount as decimal(18,2), or null (see above). -#}
{% macro parse_money(expression) -%}
  {{ return(adapter.dispatch('parse_money', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__parse_money(expression) -%}
  {{ cdp._money_amount(expression) }}
{%- endmacro %}


{#- null | 'missing' (blank or a null token) | 'invalid_format' (text that is not an amount). -#}
{% macro money_issue(expression) -%}
  {{ return(adapter.dispatch('money_issue', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__money_issue(expression) -%}
  {{ cdp.let_expression('cdp_money_amount', cdp._money_amount(expression),
      "case when " ~ cdp._number_text(expression) ~ " is null then 'missing'"
      ~ " when cdp_money_amount is null then 'invalid_format' end") }}
{%- endmacro %}


{#-
  The ISO 4217 code of an amount: the source's currency column (`currency_expression`, a SQL expression;
  a code in any case or a symbol) when it names a known currency, else the symbol or code written in the
  amount text, else var cdp_default_currency. Never null.
-#}
{% macro money_currency(expression, currency_expression=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('money_currency', 'cdp')(expression, currency_expression)) }}
{%- endmacro %}

{% macro default__money_currency(expression, currency_expression) -%}
  {%- set default_currency = var('cdp_default_currency', 'EUR') -%}
  {%- if default_currency is not string or not modules.re.match('^[A-Z]{3}$', default_currency) -%}
    {{ exceptions.raise_compiler_error("var cdp_default_currency must be an ISO 4217 code such as 'EUR', got: " ~ default_currency) }}
  {%- endif -%}
  {%- set pattern = cdp._money_pattern() -%}
  {%- set from_amount -%}
    case
      when {{ cdp.regexp_matches('cdp_money_text', pattern) }}
        then {{ cdp.let_regex_groups('cdp_money_groups', 'cdp_money_text', pattern, 5,
            'coalesce(' ~ cdp._currency_code('cdp_money_groups_g02') ~ ', ' ~ cdp._currency_code('cdp_money_groups_g05') ~ ')') }}
    end
  {%- endset -%}
  coalesce(
    {%- if currency_expression is not none %}
    {{ cdp._currency_code(cdp._number_text(currency_expression)) }},
    {%- endif %}
    {{ cdp.let_expression('cdp_money_text', cdp._number_text(expression), from_amount) }},
    '{{ default_currency }}'
  )
{%- endmacro %}
