{#-
  Parsing of timestamps and dates written as text, identically on every engine.

  Accepted (after trimming, case-insensitive):
  - a date: ISO "YYYY-MM-DD", "YYYY/MM/DD", "YYYY.MM.DD", compact "YYYYMMDD", or numeric with "/", "-" or "."
    and a 4-digit year in the order of var cdp_date_order ('DMY', the default: "31/12/2024", "31.12.2024";
    'MDY' for US data: "12/31/2024"); one-digit days and months are accepted;
  - optionally followed by "T" or a space and a time "HH:MM", "HH:MM:SS" or "HH:MM:SS.fraction" (fractions
    beyond microseconds are truncated), and optionally by an offset: "Z", "UTC", "GMT", "+01:00", "+0100",
    "+01" (with or without a space before it);
  - epoch seconds (10 digits) or epoch milliseconds (13 digits).
  Anything else is null with issue 'invalid_format'; a supported shape with impossible values (month 13,
  February 30, hour 25, offset beyond 14 hours) is null with issue 'out_of_range'.

  How: one regular expression captures the parts, which are assembled into one canonical, fixed-width form
  "YYYY-MM-DD HH:MM:SS.ffffff+HH:MM" (the sign is 'L' when the text had no offset: local time), whose fields
  are then checked by plain string comparison before anything is cast. Casting only a checked canonical
  text means no engine can raise (PostgreSQL raises on impossible dates, Spark's ANSI mode on bad casts),
  and all engines accept the same inputs.
-#}


{%- macro _date_order(date_order) -%}
  {%- set order = (date_order or var('cdp_date_order', 'DMY')) | upper -%}
  {%- if order not in ['DMY', 'MDY'] -%}
    {{ exceptions.raise_compiler_error("The date order (var cdp_date_order or the date_order argument) must be 'DMY' or 'MDY', got: " ~ order) }}
  {%- endif -%}
  {{ return(order) }}
{%- endmacro -%}


{%- macro _timezone_name(timezone) -%}
  {%- set name = timezone or var('cdp_default_timezone', 'UTC') -%}
  {%- if name is not string or not modules.re.match('^[A-Za-z][A-Za-z0-9_+/-]*$', name) -%}
    {{ exceptions.raise_compiler_error("A time zone must be an IANA name such as 'Europe/Paris' or 'UTC', got: " ~ name) }}
  {%- endif -%}
  {{ return(name) }}
{%- endmacro -%}


{#-
  The whole-text shape accepted besides epochs (on upper-cased text), with its capture groups:
  01-03 year, month, day of a year-first date; 04-06 day-or-month, month-or-day, year of a numeric date;
  07-09 year, month, day of a compact date; 10-13 hour, minute, second, fraction; 14 the offset as written,
  15 its signed hours, 16 its minutes.
-#}
{%- macro _temporal_pattern() -%}
  {%- set date = '(?:([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})|([0-9]{4})([0-9]{2})([0-9]{2}))' -%}
  {%- set offset = '(?: ?(Z|UTC|GMT|([+-][0-9]{2})(?::?([0-9]{2}))?))?' -%}
  {%- set time = '(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?' ~ offset ~ ')?' -%}
  {{ return('^' ~ date ~ time ~ '$') }}
{%- endmacro -%}

{%- macro _epoch_pattern() -%}
  {{ return('^[0-9]{10}$|^[0-9]{13}$') }}
{%- endmacro -%}


{#-
  The canonical "YYYY-MM-DD HH:MM:SS.ffffff+HH:MM" form of `text` (a bound name), which must match
  _temporal_pattern(): missing parts become zeros, one-digit fields are padded, the fraction is cut or padded
  to microseconds, "Z"/"UTC"/"GMT" become +00:00 and a missing offset becomes the marker L00:00.
-#}
{%- macro _temporal_canonical(text, date_order) -%}
  {%- set p = 'cdp_temporal_groups_g' -%}
  {%- set first, second = ('05', '04') if date_order == 'DMY' else ('04', '05') -%}
  {%- set build -%}
    {{ dbt.concat([
        p ~ '01', p ~ '06', p ~ '07', "'-'",
        "lpad(" ~ dbt.concat([p ~ '02', p ~ first, p ~ '08']) ~ ", 2, '0')", "'-'",
        "lpad(" ~ dbt.concat([p ~ '03', p ~ second, p ~ '09']) ~ ", 2, '0')", "' '",
        "lpad(" ~ p ~ "10, 2, '0')", "':'",
        "case when " ~ p ~ "11 = '' then '00' else " ~ p ~ "11 end", "':'",
        "case when " ~ p ~ "12 = '' then '00' else " ~ p ~ "12 end", "'.'",
        "rpad(substr(" ~ p ~ "13, 1, 6), 6, '0')",
        "case when " ~ p ~ "14 = '' then 'L00:00' when " ~ p ~ "14 in ('Z', 'UTC', 'GMT') then '+00:00' else "
          ~ dbt.concat([p ~ '15', "':'", "case when " ~ p ~ "16 = '' then '00' else " ~ p ~ "16 end"]) ~ " end"
    ]) }}
  {%- endset -%}
  {{ return(cdp.let_regex_groups('cdp_temporal_groups', text, cdp._temporal_pattern(), 16, build)) }}
{%- endmacro -%}


{#-
  True when the canonical text `c` (a bound name) is well formed and its fields exist: year 0001-9999, a real
  day of the month (leap years included), hour <= 23, minute and second <= 59, offset <= 14:00.
  Fields are compared as fixed-width strings; the one cast (the year, for leap years) runs only on digits.
-#}
{%- macro _temporal_is_valid(c) -%}
  case
    when not {{ cdp.regexp_matches(c, '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{6}[-+L][0-9]{2}:[0-9]{2}$') }}
      then false
    when substr({{ c }}, 1, 4) = '0000'
      or substr({{ c }}, 6, 2) not between '01' and '12'
      or substr({{ c }}, 9, 2) not between '01' and '31'
      or substr({{ c }}, 12, 2) > '23'
      or substr({{ c }}, 15, 2) > '59'
      or substr({{ c }}, 18, 2) > '59'
      or substr({{ c }}, 28, 5) > '14:00'
      or substr({{ c }}, 31, 2) > '59'
      then false
    when substr({{ c }}, 9, 2) <= '28' then true
    when substr({{ c }}, 6, 2) in ('04', '06', '09', '11') then substr({{ c }}, 9, 2) <= '30'
    when substr({{ c }}, 6, 2) <> '02' then true
    when substr({{ c }}, 9, 2) <> '29' then false
    else mod(cast(substr({{ c }}, 1, 4) as integer), 4) = 0
      and (mod(cast(substr({{ c }}, 1, 4) as integer), 100) <> 0 or mod(cast(substr({{ c }}, 1, 4) as integer), 400) = 0)
  end
{%- endmacro -%}


{#-
  What a text reads as, in one text: null when it is missing, the digits of an epoch (10 or 13 characters),
  its canonical form (32 characters) when its shape is supported and its values exist, '' when its shape is
  supported but a value is impossible, '?' when its shape is not supported.
  Why one text: a column's value and its issue are both derived from it, and the expression is the same text
  in both, so DuckDB and Spark compute it once per row (common sub-expression elimination); reading the text
  twice, once for each, made a timestamp column with its issue 1.8 times slower than the timestamp alone.
-#}
{%- macro _temporal_reading(expression, date_order) -%}
  {%- set reading -%}
    case
      when cdp_temporal_text is null then null
      when {{ cdp.regexp_matches('cdp_temporal_text', cdp._epoch_pattern()) }} then cdp_temporal_text
      when {{ cdp.regexp_matches('cdp_temporal_text', cdp._temporal_pattern()) }}
        then {{ cdp.let_expression('cdp_temporal_candidate',
                 cdp._temporal_canonical('cdp_temporal_text', cdp._date_order(date_order)),
                 'case when ' ~ cdp._temporal_is_valid('cdp_temporal_candidate') ~ " then cdp_temporal_candidate else '' end") }}
      else '?'
    end
  {%- endset -%}
  {{ return(cdp.let_expression('cdp_temporal_text', 'upper(' ~ cdp.clean_text(expression) ~ ')', reading)) }}
{%- endmacro -%}


{#- Binds the reading of `expression` (see _temporal_reading) as cdp_temporal_reading for `body`. -#}
{%- macro _temporal_parts(expression, date_order, body) -%}
  {{ cdp.let_expression('cdp_temporal_reading', cdp._temporal_reading(expression, date_order), body) }}
{%- endmacro -%}


{#- Shared by timestamp_issue and date_issue: both accept the same texts. -#}
{%- macro _temporal_issue(expression, date_order) -%}
  {%- set body -%}
    case
      when cdp_temporal_reading is null then 'missing'
      when cdp_temporal_reading = '?' then 'invalid_format'
      when cdp_temporal_reading = '' then 'out_of_range'
    end
  {%- endset -%}
  {{ cdp._temporal_parts(expression, date_order, body) }}
{%- endmacro -%}


{#- The UTC timestamp of a reading that is an epoch: 10 digits are seconds, 13 milliseconds. -#}
{%- macro _epoch_reading_timestamp(reading) -%}
  {{ cdp.timestamp_from_epoch_milliseconds(
      "case when length(" ~ reading ~ ") = 10 then " ~ dbt.concat([reading, "'000'"]) ~ " else " ~ reading ~ " end") }}
{%- endmacro -%}


{#- The naive timestamp of a canonical text's date and time as written (offset ignored). -#}
{%- macro _canonical_local_timestamp(c) -%}
  cast(substr({{ c }}, 1, 26) as {{ dbt.type_timestamp() }})
{%- endmacro -%}


{#- ---------------------------------------------------------------------------------------------------- -#}
{#-  Timestamps                                                                                            -#}
{#- ---------------------------------------------------------------------------------------------------- -#}

{#-
  The instant as a naive timestamp in UTC, or null. `timezone` (an IANA name, as a Jinja string) is the zone
  of texts written without an offset, by default var cdp_default_timezone; a date alone is midnight there.
  `date_order` overrides var cdp_date_order for this column.
-#}
{% macro parse_timestamp_utc(expression, timezone=none, date_order=none) -%}
  {{ return(adapter.dispatch('parse_timestamp_utc', 'cdp')(expression, timezone, date_order)) }}
{%- endmacro %}

{% macro default__parse_timestamp_utc(expression, timezone, date_order) -%}
  {%- set local = cdp._canonical_local_timestamp('cdp_temporal_reading') -%}
  {%- set offset_minutes -%}
    (case when substr(cdp_temporal_reading, 27, 1) = '-' then -1 else 1 end)
      * (cast(substr(cdp_temporal_reading, 28, 2) as integer) * 60 + cast(substr(cdp_temporal_reading, 31, 2) as integer))
  {%- endset -%}
  {%- set body -%}
    case
      when length(cdp_temporal_reading) in (10, 13) then {{ cdp._epoch_reading_timestamp('cdp_temporal_reading') }}
      when length(cdp_temporal_reading) <> 32 then null
      when substr(cdp_temporal_reading, 27, 1) = 'L'
        then {{ cdp.local_timestamp_to_utc(local, cdp._timezone_name(timezone)) }}
      else {{ local }} - ({{ offset_minutes }}) * interval '1' minute
    end
  {%- endset -%}
  {{ cdp._temporal_parts(expression, date_order, body) }}
{%- endmacro %}


{#- null | 'missing' | 'invalid_format' (not a supported shape) | 'out_of_range' (impossible values). -#}
{% macro timestamp_issue(expression, date_order=none) -%}
  {{ return(adapter.dispatch('timestamp_issue', 'cdp')(expression, date_order)) }}
{%- endmacro %}

{% macro default__timestamp_issue(expression, date_order) -%}
  {{ cdp._temporal_issue(expression, date_order) }}
{%- endmacro %}


{#-
  A naive timestamp read as wall-clock time in `timezone` (a Jinja string), converted to naive UTC, without
  depending on the session time zone (DuckDB's defaults to the machine's).
  At a daylight-saving change, a local time that does not exist (spring forward) is read with the offset in
  force before the change, and a local time that occurs twice (fall back) with the offset after it:
  PostgreSQL's rule, which DuckDB's ICU follows too; both give the later of the two candidate instants.
-#}
{% macro local_timestamp_to_utc(timestamp_expression, timezone) -%}
  {%- if timezone | upper in ['UTC', 'ETC/UTC', 'GMT', 'Z'] -%}
    {{ timestamp_expression }}
  {%- else -%}
    {{ return(adapter.dispatch('local_timestamp_to_utc', 'cdp')(timestamp_expression, timezone)) }}
  {%- endif -%}
{%- endmacro %}

{% macro default__local_timestamp_to_utc(timestamp_expression, timezone) -%}
  (({{ timestamp_expression }}) at time zone '{{ timezone }}') at time zone 'UTC'
{%- endmacro %}

{% macro duckdb__local_timestamp_to_utc(timestamp_expression, timezone) -%}
  timezone('UTC', timezone('{{ timezone }}', {{ timestamp_expression }}))
{%- endmacro %}

{#-
  Java resolves a repeated local time with the offset before the change (PostgreSQL: after), so the local
  time is also read one hour later and shifted back, which yields the other candidate at a one-hour change;
  the later of the two instants is PostgreSQL's answer, and both are equal at every other time.
-#}
{% macro spark__local_timestamp_to_utc(timestamp_expression, timezone) -%}
  greatest(
    to_utc_timestamp({{ timestamp_expression }}, '{{ timezone }}'),
    to_utc_timestamp({{ timestamp_expression }} + interval '1' hour, '{{ timezone }}') - interval '1' hour
  )
{%- endmacro %}


{#- The naive UTC timestamp of a number of milliseconds since 1970-01-01 UTC (a digits-only text or a number). -#}
{% macro timestamp_from_epoch_milliseconds(milliseconds) -%}
  {{ return(adapter.dispatch('timestamp_from_epoch_milliseconds', 'cdp')(milliseconds)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_milliseconds(milliseconds) -%}
  cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }})
    + cast({{ milliseconds }} as {{ dbt.type_bigint() }}) * interval '1' millisecond
{%- endmacro %}

{% macro duckdb__timestamp_from_epoch_milliseconds(milliseconds) -%}
  epoch_ms(cast({{ milliseconds }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro postgres__timestamp_from_epoch_milliseconds(milliseconds) -%}
  cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }})
    + cast({{ milliseconds }} as {{ dbt.type_bigint() }}) * interval '1 millisecond'
{%- endmacro %}

{% macro spark__timestamp_from_epoch_milliseconds(milliseconds) -%}
  timestamp_millis(cast({{ milliseconds }} as {{ dbt.type_bigint() }}))
{%- endmacro %}


{#- ---------------------------------------------------------------------------------------------------- -#}
{#-  Dates                                                                                                 -#}
{#- ---------------------------------------------------------------------------------------------------- -#}

{#-
  A date, or null: the date as written (a time or offset is ignored, no time-zone shift: this is for birth
  dates and business days); the UTC date of an epoch. Plausibility (a birth date in the future) is the
  model's concern, not the parser's.
-#}
{% macro parse_date(expression, date_order=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('parse_date', 'cdp')(expression, date_order)) }}
{%- endmacro %}

{% macro default__parse_date(expression, date_order) -%}
  {%- set body -%}
    case
      when length(cdp_temporal_reading) in (10, 13)
        then cast({{ cdp._epoch_reading_timestamp('cdp_temporal_reading') }} as date)
      when length(cdp_temporal_reading) = 32
        then cast(substr(cdp_temporal_reading, 1, 10) as date)
    end
  {%- endset -%}
  {{ cdp._temporal_parts(expression, date_order, body) }}
{%- endmacro %}


{#- null | 'missing' | 'invalid_format' | 'out_of_range', as for timestamps. -#}
{% macro date_issue(expression, date_order=none) -%}
  {{ return(adapter.dispatch('date_issue', 'cdp')(expression, date_order)) }}
{%- endmacro %}

{% macro default__date_issue(expression, date_order) -%}
  {{ cdp._temporal_issue(expression, date_order) }}
{%- endmacro %}
