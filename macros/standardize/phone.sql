{#-
  Phone numbers to E.164 ('+' then the country calling code and the national significant number, NSN).

  Reference data. The per-country rules (calling code, trunk prefix, NSN length range) are embedded below, at
  compile time, and mirrored row for row by the seed `country_calling_codes`; the data test
  `cdp_reference_seed_matches_macros` on that seed fails when the two differ, so edit both together.
  Why not read the seed with run_query() at compile time: a ref() made inside a macro becomes a dependency of
  every model using it, and a dbt unit test then demands a fixture for the seed; even with one, ref() resolves
  to the fixture's CTE name inside the unit test, which run_query() cannot read ("table __dbt__cte__... does not
  exist"). Embedding keeps staging join-free and unit tests self-contained, and costs no query at compile time.
  Source of the data: libphonenumber's metadata (calling code, national prefix, and the union of the possible
  lengths of fixed-line and mobile numbers, capped at E.164's 15 digits), with ranges narrowed to personal
  numbers for NL, IL, ZA, KR and RO (their long/short ranges are machine-to-machine or service numbers), and
  Belarus's trunk written '80' (numbers are dialled 8 0xx ... at home).

  What the macros accept (a syntax check, not a line check: all-zero or repeated-digit numbers pass and are
  left to identity resolution):
  - separators: white space (including no-break spaces), . - / ( ) _ ;
  - an extension at the end ("ext. 12", "x12", "poste 12", "#12") is dropped, since E.164 has no extension;
  - "(0)" is dropped ("+33 (0)6 ..." and "+44 (0)20 ..."): it is the trunk prefix written for national callers;
  - "+" or the "00" international prefix start an international number ("011" and other countries' prefixes
    are not recognised); calling codes are prefix-free (ITU-T E.164), so the first 1 to 3 digits that are a
    known code are the code;
  - a trunk prefix written after the calling code ("+33 06 ...") is removed when what remains has a valid
    length (a number still starting with a 0 trunk prefix then has the wrong length), which leaves Italy alone: it has no trunk prefix and its landlines keep their leading 0; a Russian
    8-prefixed area code stays ("8 812 ..." is St Petersburg with its trunk 8, "812 ..." without);
  - anything else is a national number of the record's country (ISO alpha-2; null -> var cdp_default_country),
    whose trunk prefix is removed the same way (NANP "1 212 ...", Russian "8 495 ...", Hungarian "06 1 ...");
    a national number of an impossible length that starts with its own calling code ("33612345678" in France)
    is read as international;
  - valid when the NSN length is within the range of its calling code (union of the countries sharing it).

  How: a few small regular expressions clean the text, then everything is position/substr/length arithmetic
  on lookup strings, with intermediate values bound once by cdp.let_value. An earlier version matched the
  rules with big regular expressions: PostgreSQL keeps only 32 compiled regular expressions per session, a
  staging view uses more, so they were recompiled for every row (60 s for 1,000 rows).
-#}

{%- macro country_calling_code_reference() -%}
  {#- country_code calling_code trunk_prefix ('-' = none) nsn_min_length nsn_max_length -#}
  {%- set data -%}
    AC 247  -   5  5   AD 376  -   6  9   AE 971  0   8  9   AF 93   0   9  9   AG 1    1  10 10   AI 1    1  10 10
    AL 355  0   8  9   AM 374  0   8  8   AO 244  -   9  9   AR 54   0  10 11   AS 1    1  10 10   AT 43   0   4 13
    AU 61   0   9  9   AW 297  -   7  7   AX 358  0   6 10   AZ 994  0   9  9   BA 387  0   8  9   BB 1    1  10 10
    BD 880  0   6 10   BE 32   0   8  9   BF 226  -   8  8   BG 359  0   6  9   BH 973  -   8  8   BI 257  -   8  8
    BJ 229  -  10 10   BL 590  0   9  9   BM 1    1  10 10   BN 673  -   7  7   BO 591  0   8  8   BQ 599  -   7  7
    BR 55   0  10 11   BS 1    1  10 10   BT 975  -   7  8   BW 267  -   7  8   BY 375  80  9  9   BZ 501  -   7  7
    CA 1    1  10 10   CC 61   0   9  9   CD 243  0   7 10   CF 236  -   8  8   CG 242  -   9  9   CH 41   0   9  9
    CI 225  -  10 10   CK 682  -   5  5   CL 56   -   9  9   CM 237  -   9  9   CN 86   0   7 11   CO 57   0   8 10
    CR 506  -   8  8   CU 53   0   6 10   CV 238  -   7  7   CW 599  -   7  8   CX 61   0   9  9   CY 357  -   8  8
    CZ 420  -   9  9   DE 49   0   5 13   DJ 253  -   8  8   DK 45   -   8  8   DM 1    1  10 10   DO 1    1  10 10
    DZ 213  0   8  9   EC 593  0   8  9   EE 372  -   7  8   EG 20   0   8 10   EH 212  0   9  9   ER 291  0   7  7
    ES 34   -   9  9   ET 251  0   9  9   FI 358  0   5 10   FJ 679  -   7  7   FK 500  -   5  5   FM 691  -   7  7
    FO 298  -   6  6   FR 33   0   9  9   GA 241  -   7  8   GB 44   0   9 10   GD 1    1  10 10   GE 995  0   9  9
    GF 594  0   9  9   GG 44   0  10 10   GH 233  0   9  9   GI 350  -   8  8   GL 299  -   6  6   GM 220  -   7  9
    GN 224  -   8  9   GP 590  0   9  9   GQ 240  -   9  9   GR 30   -  10 10   GT 502  -   8  8   GU 1    1  10 10
    GW 245  -   9  9   GY 592  -   7  7   HK 852  -   8  8   HN 504  -   8  8   HR 385  0   8  9   HT 509  -   8  8
    HU 36   06  8  9   ID 62   0   7 12   IE 353  0   7 10   IL 972  0   8  9   IM 44   0  10 10   IN 91   0  10 10
    IO 246  -   7  7   IQ 964  0   8 10   IR 98   0   6 10   IS 354  -   7  9   IT 39   -   6 12   JE 44   0  10 10
    JM 1    1  10 10   JO 962  0   8  9   JP 81   0   9 10   KE 254  0   7  9   KG 996  0   9  9   KH 855  0   8  9
    KI 686  0   5  8   KM 269  -   7  7   KN 1    1  10 10   KP 850  0   8 10   KR 82   0   8 10   KW 965  -   8  8
    KY 1    1  10 10   KZ 7    8  10 10   LA 856  0   8 10   LB 961  0   7  8   LC 1    1  10 10   LI 423  0   7  9
    LK 94   0   9  9   LR 231  0   7  9   LS 266  -   8  8   LT 370  0   8  8   LU 352  -   4 11   LV 371  -   8  8
    LY 218  0   9  9   MA 212  0   9  9   MC 377  0   8  9   MD 373  0   8  8   ME 382  0   8  8   MF 590  0   9  9
    MG 261  0   9  9   MH 692  1   7  7   MK 389  0   8  8   ML 223  -   8  8   MM 95   0   6 10   MN 976  0   8 10
    MO 853  -   8  8   MP 1    1  10 10   MQ 596  0   9  9   MR 222  -   8  8   MS 1    1  10 10   MT 356  -   8  8
    MU 230  -   7  8   MV 960  -   7  7   MW 265  0   7  9   MX 52   -  10 10   MY 60   0   8 10   MZ 258  -   8  9
    NA 264  0   8  9   NC 687  -   6  6   NE 227  -   8  8   NF 672  -   6  6   NG 234  0  10 10   NI 505  -   8  8
    NL 31   0   9  9   NO 47   -   8  8   NP 977  0   8 10   NR 674  -   7  7   NU 683  -   4  7   NZ 64   0   8 10
    OM 968  -   8  8   PA 507  -   7  8   PE 51   0   8  9   PF 689  -   8  8   PG 675  -   7  8   PH 63   0   6 10
    PK 92   0   9 10   PL 48   -   7  9   PM 508  0   6  9   PR 1    1  10 10   PS 970  0   8  9   PT 351  -   9  9
    PW 680  -   7  7   PY 595  0   7  9   QA 974  -   8  8   RE 262  0   9  9   RO 40   0   9  9   RS 381  0   7 12
    RU 7    8  10 10   RW 250  0   8  9   SA 966  0   9  9   SB 677  -   5  7   SC 248  -   7  7   SD 249  0   9  9
    SE 46   0   7  9   SG 65   -   8  8   SH 290  -   4  5   SI 386  0   8  8   SJ 47   -   8  8   SK 421  0   6  9
    SL 232  0   8  8   SM 378  -   8 10   SN 221  -   9  9   SO 252  0   6  9   SR 597  -   6  7   SS 211  0   9  9
    ST 239  -   7  7   SV 503  -   8  8   SX 1    1  10 10   SY 963  0   8  9   SZ 268  -   8  8   TA 290  -   4  4
    TC 1    1  10 10   TD 235  -   8  8   TG 228  -   8  8   TH 66   0   8  9   TJ 992  -   9  9   TK 690  -   4  7
    TL 670  -   7  8   TM 993  8   8  8   TN 216  -   8  8   TO 676  -   5  7   TR 90   0  10 10   TT 1    1  10 10
    TV 688  -   5  7   TW 886  0   8  9   TZ 255  0   9  9   UA 380  0   9  9   UG 256  0   9  9   US 1    1  10 10
    UY 598  0   8  8   UZ 998  -   9  9   VA 39   -   6 11   VC 1    1  10 10   VE 58   0  10 10   VG 1    1  10 10
    VI 1    1  10 10   VN 84   0   9 10   VU 678  -   5  7   WF 681  -   6  6   WS 685  -   5 10   XK 383  0   8 12
    YE 967  0   7  9   YT 262  0   9  9   ZA 27   0   9  9   ZM 260  0   9  9   ZW 263  0   9  9
  {%- endset -%}
  {%- set tokens = data.split() -%}
  {%- set rows = [] -%}
  {%- for i in range(0, tokens | length, 5) -%}
    {%- do rows.append({
        'country_code': tokens[i],
        'calling_code': tokens[i + 1],
        'trunk_prefix': '' if tokens[i + 2] == '-' else tokens[i + 2],
        'nsn_min_length': tokens[i + 3] | int,
        'nsn_max_length': tokens[i + 4] | int,
    }) -%}
  {%- endfor -%}
  {{ return(rows) }}
{%- endmacro -%}


{#-
  `body`, an SQL expression in which `name` stands for the value of `value` (computed once per row). A
  lambda on DuckDB and Spark, a scalar subquery on PostgreSQL: none of them copies `value` into the SQL text,
  and PostgreSQL, which has no common-subexpression elimination, evaluates it once.
-#}
{%- macro let_value(name, value, body) -%}
  {{ return(adapter.dispatch('let_value', 'cdp')(name, value, body)) }}
{%- endmacro -%}

{#- "offset 0" keeps the planner from pulling the subquery up, which would copy `value` into `body` again. -#}
{%- macro default__let_value(name, value, body) -%}
  (select {{ body }} from (select {{ value }} as {{ name }} offset 0) as {{ name }}_scope)
{%- endmacro -%}

{#- Python-style lambda: DuckDB 1.4+ refuses the arrow form. -#}
{%- macro duckdb__let_value(name, value, body) -%}
  list_transform([{{ value }}], lambda {{ name }}: {{ body }})[1]
{%- endmacro -%}

{%- macro spark__let_value(name, value, body) -%}
  transform(array({{ value }}), {{ name }} -> {{ body }})[0]
{%- endmacro -%}


{#-
  Lookup strings built from the reference data at compile time:
  - calling_codes: '|1|7|20|...|', every known calling code;
  - code_rules:    '|33=0-0909|...', per calling code its trunk prefix (2 characters, '-' padded) and its
                   NSN length range (2 digits each), a union over the countries sharing the code;
  - country_codes: '|FR=33-|...', per ISO alpha-2 country its calling code (3 characters, '-' padded).
-#}
{%- macro phone_lookups() -%}
  {%- set rules = {} -%}
  {%- set country_entries = [] -%}
  {%- for row in cdp.country_calling_code_reference() -%}
    {%- do country_entries.append('|' ~ row.country_code ~ '=' ~ (row.calling_code ~ '---')[:3]) -%}
    {%- set known = rules.get(row.calling_code) -%}
    {%- if known is none -%}
      {%- do rules.update({row.calling_code: {
          'trunk': row.trunk_prefix, 'min': row.nsn_min_length, 'max': row.nsn_max_length}}) -%}
    {%- elif known.trunk != row.trunk_prefix -%}
      {{ exceptions.raise_compiler_error("Countries sharing calling code +" ~ row.calling_code
          ~ " have different trunk prefixes in country_calling_code_reference(); make them equal.") }}
    {%- else -%}
      {%- do known.update({'min': [known.min, row.nsn_min_length] | min, 'max': [known.max, row.nsn_max_length] | max}) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set rule_entries = [] -%}
  {%- for code in rules | sort -%}
    {%- set rule = rules[code] -%}
    {%- if rule.trunk | length > 2 or rule.max > 99 -%}
      {{ exceptions.raise_compiler_error("Calling code +" ~ code ~ ": trunk prefixes have at most 2 digits and NSN lengths at most 2.") }}
    {%- endif -%}
    {%- do rule_entries.append('|' ~ code ~ '=' ~ (rule.trunk ~ '--')[:2] ~ '%02d' | format(rule.min) ~ '%02d' | format(rule.max)) -%}
  {%- endfor -%}
  {{ return({
      'calling_codes': '|' ~ rules.keys() | sort | join('|') ~ '|',
      'code_rules': rule_entries | join('') ~ '|',
      'country_codes': country_entries | join('') ~ '|',
  }) }}
{%- endmacro -%}


{#- Separators people put in phone numbers; the no-break spaces are not matched by \s on Spark (Java). -#}
{%- macro phone_separator_class() -%}
  {{ return('\\s\u00a0\u202f./()_-') }}
{%- endmacro -%}


{#-
  E.164 ('+...') or the issue, from a calling code and the digits after it (both SQL expressions of bound
  names) and the code_rules lookup literal (see phone_lookups): the trunk prefix is dropped when the rest
  then has a possible length, then the length is checked. An unknown code (not possible from phone_parse)
  would read the rule '------' (position 0 lands in the ten leading dashes), hence an impossible range rather
  than a cast error.
-#}
{%- macro phone_finish(calling_code, digits, code_rules) -%}
  {%- set rule = "substr(" ~ code_rules ~ ", " ~ dbt.position("'|' || " ~ calling_code ~ " || '='", code_rules)
      ~ " + length(" ~ calling_code ~ ") + 2, 6)" -%}
  {%- set body -%}
    case
      when length(nsn) between {{ cdp.phone_rule_min('phone_rule') }} and {{ cdp.phone_rule_max('phone_rule') }}
        then '+' || {{ calling_code }} || nsn
      else 'invalid_length'
    end
  {%- endset -%}
  {%- set trunk = "replace(substr(phone_rule, 1, 2), '-', '')" -%}
  {%- set without_trunk -%}
    case
      when {{ trunk }} <> '' and {{ digits }} like {{ trunk }} || '%'
        and length({{ digits }}) - length({{ trunk }}) between {{ cdp.phone_rule_min('phone_rule') }} and {{ cdp.phone_rule_max('phone_rule') }}
        then substr({{ digits }}, length({{ trunk }}) + 1)
      {#- Where the trunk prefix starts with 0 no national number does: a leading 0 left over is a trunk prefix
         on a number of the wrong length ('04 122 95 75' read as French), not a digit of the number. -#}
      when substr({{ trunk }}, 1, 1) = '0' and {{ digits }} like {{ trunk }} || '%' then ''
      else {{ digits }}
    end
  {%- endset -%}
  {{ cdp.let_value('phone_rule', rule, cdp.let_value('nsn', without_trunk, body)) }}
{%- endmacro -%}

{#- The rule's characters are digits or '-' by construction; '-' only in the unknown-code rule, read as 0. -#}
{%- macro phone_rule_min(rule) -%}
  cast(replace(substr({{ rule }}, 3, 2), '-', '0') as integer)
{%- endmacro -%}

{%- macro phone_rule_max(rule) -%}
  cast(replace(substr({{ rule }}, 5, 2), '-', '0') as integer)
{%- endmacro -%}


{#- '+<E.164 digits>' when the number is valid, else its issue ('missing', 'invalid_characters', ...). -#}
{%- macro phone_parse(expression, country_expression) -%}
  {%- set lookups = cdp.phone_lookups() -%}
  {#- The lookup strings are written as literals where they are used rather than bound by let_value: each
     let_value is a lambda on DuckDB and Spark, whose planning time doubles with every level of nesting
     (three more levels made a phone expression 8 times slower to plan, 0.3 s on DuckDB). -#}
  {%- set calling_codes = "'" ~ lookups.calling_codes ~ "'" -%}
  {%- set country_codes = "'|------" ~ lookups.country_codes ~ "'" -%}
  {%- set code_rules = "'|----------" ~ lookups.code_rules ~ "'" -%}
  {%- set separators = cdp.phone_separator_class() -%}
  {#- lower() first so that extension markers match in any case; one pattern removes both. -#}
  {%- set text = cdp.regexp_replace_all('lower(cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ '))',
        '[' ~ separators ~ ']*(ext|extension|poste|x|#)[.:]?[' ~ separators ~ ']*[0-9]{1,6}[' ~ separators ~ ']*$|\\(0\\)', '') -%}
  {%- set has_valid_characters = cdp.regexp_matches('phone_text',
        '^[' ~ separators ~ ']*[+]?[0-9' ~ separators ~ ']*[0-9][0-9' ~ separators ~ ']*$') -%}
  {#- Digits, with '+' standing for either international prefix. -#}
  {%- set digits = cdp.regexp_replace_all(cdp.regexp_replace_all('phone_text', '[^0-9+]', ''), '^00', '+') -%}

  {#- The number after '+', written out where used rather than bound: one lambda level fewer. -#}
  {%- set international_digits = 'substr(phone_digits, 2)' -%}
  {%- set code_length -%}
    case
      {%- for length in [1, 2, 3] %}
      when {{ dbt.position("'|' || substr(" ~ international_digits ~ ", 1, " ~ length ~ ") || '|'", calling_codes) }} > 0 then {{ length }}
      {%- endfor %}
      else 0
    end
  {%- endset -%}
  {%- set international -%}
    case
      when phone_code_length = 0 then 'unknown_calling_code'
      else {{ cdp.phone_finish('substr(' ~ international_digits ~ ', 1, phone_code_length)',
          'substr(' ~ international_digits ~ ', phone_code_length + 1)', code_rules) }}
    end
  {%- endset -%}

  {%- set country -%}
    coalesce(upper(trim(cast({{ country_expression }} as {{ dbt.type_string() }}))), '{{ var('cdp_default_country', 'FR') | upper }}')
  {%- endset -%}
  {#- An unknown country gives position 0, which reads characters 4 to 6 of the leading '|------'. -#}
  {%- set country_code = "nullif(replace(substr(" ~ country_codes ~ ", " ~ dbt.position("'|' || " ~ country ~ " || '='", country_codes) ~ " + 4, 3), '-', ''), '')" -%}
  {%- set national -%}
    case
      when phone_country_code is null then 'unknown_calling_code'
      when phone_national like '+%' then phone_national
      when phone_digits like phone_country_code || '%' then
        {{ cdp.let_value('phone_repeated_code',
             cdp.phone_finish('phone_country_code', 'substr(phone_digits, length(phone_country_code) + 1)', code_rules),
             "case when phone_repeated_code like '+%' then phone_repeated_code else phone_national end") }}
      else phone_national
    end
  {%- endset -%}

  {%- set parsed -%}
    case
      when {{ cdp.clean_text(expression) }} is null then 'missing'
      else {{ cdp.let_value('phone_text', text,
        "case when not " ~ has_valid_characters ~ " then 'invalid_characters' else "
        ~ cdp.let_value('phone_digits', digits,
            "case when phone_digits like '+%' then "
            ~ cdp.let_value('phone_code_length', code_length, international)
            ~ " else "
            ~ cdp.let_value('phone_country_code', country_code,
                cdp.let_value('phone_national', cdp.phone_finish('phone_country_code', 'phone_digits', code_rules), national))
            ~ " end")
        ~ " end") }}
    end
  {%- endset -%}
  {{ return(parsed) }}
{%- endmacro -%}


{#- E.164 form ('+33612345678') of a phone number in any usual format, or null when it is not a valid number. -#}
{%- macro standardize_phone(expression, country_expression='null') -%}
  {{ return(adapter.dispatch('standardize_phone', 'cdp')(expression, country_expression)) }}
{%- endmacro -%}

{%- macro default__standardize_phone(expression, country_expression) -%}
  {{ cdp.let_value('phone_parsed', cdp.phone_parse(expression, country_expression),
      "case when phone_parsed like '+%' then phone_parsed end") }}
{%- endmacro -%}


{#- Why a phone number has no E.164 form: null | missing | invalid_characters | unknown_calling_code | invalid_length. -#}
{%- macro phone_issue(expression, country_expression='null') -%}
  {{ return(adapter.dispatch('phone_issue', 'cdp')(expression, country_expression)) }}
{%- endmacro -%}

{%- macro default__phone_issue(expression, country_expression) -%}
  {{ cdp.let_value('phone_parsed', cdp.phone_parse(expression, country_expression),
      "case when phone_parsed not like '+%' then phone_parsed end") }}
{%- endmacro -%}
