{#-
  Jaro-Winkler similarity of two strings: a double in [0, 1], the same number on every engine.

  - null when either input is null; 1.0 when the two strings are equal, two empty strings included (equal
    strings are identical, whatever their length); 0.0 when exactly one of them is empty.
  - Characters are Unicode code points (not bytes, not UTF-16 units), compared exactly: case, accents, spaces
    and hyphens all count, so compare matching keys (e.g. first_name_key), not display names.
  - Jaro: a character of one string matches an equal, not yet matched character of the other at most
    floor(max(len1, len2) / 2) - 1 positions away (each left character in turn takes the first free one);
    m = number of matches; t = floor(half the matched characters that are out of order);
    jaro = (m / len1 + m / len2 + (m - t) / m) / 3, and 0 when m = 0.
  - Winkler: jaro + p * 0.1 * (1 - jaro), p = length of the common prefix, at most 4. The boost applies at
    every score: no 0.7 threshold.
  The computation follows the same operation order on every engine, so results agree to the last bit.

  Per engine:
  - DuckDB: its jaro_winkler_similarity boosts only when jaro > 0.7 (Winkler's original rule) and gives 0.0
    for two empty strings, so we take its jaro_similarity (the same matching and t) and add the prefix boost
    here. Code points from DuckDB 2.0: 1.3 and 1.4 compare bytes, so accented names score differently there.
  - Spark: 4.3's built-in jaro_winkler_similarity never applies a threshold, but halves transpositions
    without rounding down (t = 1.5, not 1, for three out-of-order characters) and counts UTF-16 units
    (an emoji is two characters), so it disagrees with DuckDB whenever an odd number of characters is out of
    order (goossens / goosssens: 0.940 against 0.953). We compute the definition above with higher-order
    functions: fine for names, quadratic in the string length.
  - PostgreSQL: nothing built in (and fuzzystrmatch, an extension, may be unavailable on managed servers):
    a PL/pgSQL function that cdp.create_udfs() creates on every run (on-run-start in dbt_project.yml), in
    the schema named by var cdp_udf_schema (default: the target schema). About 20 s of CPU per million calls.
-#}

{% macro jaro_winkler_similarity(left, right) -%}
  {{ return(adapter.dispatch('jaro_winkler_similarity', 'cdp')(left, right)) }}
{%- endmacro %}

{% macro default__jaro_winkler_similarity(left, right) -%}
  {{ exceptions.raise_compiler_error(
      "cdp.jaro_winkler_similarity has no implementation for the " ~ adapter.type() ~ " adapter: "
      ~ "add a " ~ adapter.type() ~ "__jaro_winkler_similarity macro (see macros/utils/string_similarity.sql)"
  ) }}
{%- endmacro %}

{% macro duckdb__jaro_winkler_similarity(left, right) -%}
  {%- set jaro = "jaro_similarity(" ~ left ~ ", " ~ right ~ ")" -%}
  {#- s[k] is the k-th code point of s, and '' past its end. -#}
  {%- set same = {} -%}
  {%- for position in [1, 2, 3, 4] -%}
    {%- do same.update({position: "(" ~ left ~ ")[" ~ position ~ "] = (" ~ right ~ ")[" ~ position ~ "] and ("
        ~ left ~ ")[" ~ position ~ "] <> ''"}) -%}
  {%- endfor -%}
  (case
    when {{ left }} = {{ right }} then cast(1 as double)
    else {{ jaro }} + cast(
      case when {{ same[1] }} then
        case when {{ same[2] }} then
          case when {{ same[3] }} then
            case when {{ same[4] }} then 4 else 3 end
          else 2 end
        else 1 end
      else 0 end
      as double) * cast(0.1 as double) * (cast(1 as double) - {{ jaro }})
  end)
{%- endmacro %}

{% macro postgres__jaro_winkler_similarity(left, right) -%}
  {{ cdp.udf_schema() }}.cdp_jaro_winkler_similarity(cast({{ left }} as text), cast({{ right }} as text))
{%- endmacro %}

{#-
  Spark: the inputs are bound once (`aggregate(array(x), ...)` names x: an input such as
  split_part(email, '@', 2) is not re-evaluated per character). `aggregate` then walks the left characters
  with a state holding the right characters still free (null once matched) and the matched right positions
  in left order; each step searches its window with native slice/array_position, and sorting the positions
  at the end gives the matched characters in right order, hence t. Lambda variables are prefixed jw_ so
  that they never shadow a column used in the inputs.
-#}
{% macro spark__jaro_winkler_similarity(left, right) -%}
  {%- set left_text = "jw_input.left_text" -%}
  {%- set right_text = "jw_input.right_text" -%}
  {%- set window_start = "greatest(jw_left_position - jw_state.window_size, 1)" -%}
  {%- set window_end = "least(jw_left_position + jw_state.window_size, size(jw_state.right_chars))" -%}
  {%- set found = "(jw_found_in_window + " ~ window_start ~ " - 1)" -%}
  {%- set matches = "size(jw_state.matched_positions)" -%}
  {%- set same = {} -%}
  {%- for position in [2, 3, 4] -%}
    {%- do same.update({position: "substr(" ~ left_text ~ ", " ~ position ~ ", 1) = substr(" ~ right_text ~ ", "
        ~ position ~ ", 1) and substr(" ~ left_text ~ ", " ~ position ~ ", 1) != ''"}) -%}
  {%- endfor -%}
  aggregate(
    array(named_struct('left_text', {{ left }}, 'right_text', {{ right }})),
    cast(null as double),
    (jw_unused_result, jw_input) -> case
      when {{ left_text }} is null or {{ right_text }} is null then cast(null as double)
      when {{ left_text }} = {{ right_text }} then cast(1 as double)
      when {{ left_text }} = '' or {{ right_text }} = '' then cast(0 as double)
      else aggregate(
        sequence(1, char_length({{ left_text }})),
        named_struct(
          'right_chars', transform(sequence(1, char_length({{ right_text }})), jw_i -> substr({{ right_text }}, jw_i, 1)),
          'free_right_chars', transform(
            sequence(1, char_length({{ right_text }})), jw_i -> substr({{ right_text }}, jw_i, 1)
          ),
          'window_size', cast(greatest(greatest(char_length({{ left_text }}), char_length({{ right_text }})) div 2 - 1, 0) as int),
          'matched_positions', cast(array() as array<int>)
        ),
        (jw_state, jw_left_position) -> aggregate(
          array(cast(array_position(
            slice(jw_state.free_right_chars, {{ window_start }}, greatest({{ window_end }} - {{ window_start }} + 1, 0)),
            substr({{ left_text }}, jw_left_position, 1)
          ) as int)),
          jw_state,
          (jw_unchanged_state, jw_found_in_window) -> if(
            jw_found_in_window = 0,
            jw_state,
            named_struct(
              'right_chars', jw_state.right_chars,
              'free_right_chars', concat(
                slice(jw_state.free_right_chars, 1, {{ found }} - 1),
                array(cast(null as string)),
                slice(jw_state.free_right_chars, {{ found }} + 1, size(jw_state.right_chars))
              ),
              'window_size', jw_state.window_size,
              'matched_positions', concat(jw_state.matched_positions, array({{ found }}))
            )
          )
        ),
        jw_state -> if(
          {{ matches }} = 0,
          cast(0 as double),
          aggregate(
            array((
              cast({{ matches }} as double) / cast(char_length({{ left_text }}) as double)
              + cast({{ matches }} as double) / cast(size(jw_state.right_chars) as double)
              + cast({{ matches }} - if(
                  jw_state.matched_positions = array_sort(jw_state.matched_positions),
                  0,
                  size(filter(
                    zip_with(
                      jw_state.matched_positions,
                      array_sort(jw_state.matched_positions),
                      (jw_left_order, jw_right_order)
                        -> jw_state.right_chars[jw_left_order - 1] != jw_state.right_chars[jw_right_order - 1]
                    ),
                    jw_out_of_order -> jw_out_of_order
                  ))
                ) div 2 as double) / cast({{ matches }} as double)
            ) / cast(3 as double)),
            cast(0 as double),
            (jw_unused, jw_jaro) -> jw_jaro + cast(
              case when substr({{ left_text }}, 1, 1) = substr({{ right_text }}, 1, 1) then
                case when {{ same[2] }} then
                  case when {{ same[3] }} then
                    case when {{ same[4] }} then 4 else 3 end
                  else 2 end
                else 1 end
              else 0 end
              as double) * cast(0.1 as double) * (cast(1 as double) - jw_jaro)
          )
        )
      )
    end
  )
{%- endmacro %}


{#- The schema holding the project's SQL functions on engines that need them (PostgreSQL), quoted. -#}
{% macro udf_schema() -%}
  {{ return(adapter.quote(var('cdp_udf_schema', target.schema))) }}
{%- endmacro %}


{#-
  SQL for on-run-start: creates the functions our macros call on engines that have no built-in for them.
  Nothing on DuckDB and Spark. dbt run, build, test (unit tests included) and seed run it; dbt show and dbt
  compile run no hook, so on a fresh PostgreSQL schema run one of those first.
-#}
{% macro create_udfs() -%}
  {{ return(adapter.dispatch('create_udfs', 'cdp')()) }}
{%- endmacro %}

{% macro default__create_udfs() -%}
{%- endmacro %}

{#-
  PostgreSQL: one DO block, so that it is one statement in one transaction:
  - an advisory lock makes concurrent dbt invocations on the same server create one at a time (without it,
    simultaneous first runs fail on the catalog: duplicate schema, "tuple concurrently updated");
  - the function is (re)created only when missing or different from this version: a re-run changes
    nothing in the catalog, and needs no CREATE privilege once the function is there.
  `immutable strict parallel safe` (it reads only its arguments and calls only built-in functions): null in,
  null out without a call; PostgreSQL may fold calls on constants and run it in parallel workers.
-#}
{% macro postgres__create_udfs() -%}
  {%- set schema = cdp.udf_schema() -%}
  {%- set function_name = schema ~ ".cdp_jaro_winkler_similarity" -%}
  {%- set body = cdp.jaro_winkler_postgres_body() -%}
do $cdp_create_udfs$
begin
    perform pg_advisory_xact_lock(hashtext('cdp.create_udfs'));
    if to_regnamespace('{{ schema | replace("'", "''") }}') is null then
        create schema {{ schema }};
    end if;
    if not exists (
        select from pg_catalog.pg_proc
        where oid = to_regprocedure('{{ function_name | replace("'", "''") }}(text, text)')
            and prosrc = $cdp_body${{ body }}$cdp_body$
    ) then
        create or replace function {{ function_name }}(left_text text, right_text text)
        returns double precision
        language plpgsql immutable strict parallel safe
        as $cdp_body${{ body }}$cdp_body$;
        comment on function {{ function_name }}(text, text) is
            'Jaro-Winkler similarity (code points, prefix boost at every score): cdp.jaro_winkler_similarity';
    end if;
end
$cdp_create_udfs$
{%- endmacro %}

{#-
  The PL/pgSQL body. PL/pgSQL pays per statement, so the work goes to built-in C functions: strpos finds the
  first free match (first from the start, which is in the window unless an earlier free copy exists, then in
  the window itself), and a matched right character is overwritten with a placeholder, a character absent
  from the left string, so that it is never matched again. About 20 microseconds of CPU a call on name keys.
-#}
{% macro jaro_winkler_postgres_body() -%}
declare
    left_length integer;
    right_length integer;
    left_chars text[];
    window_size integer;
    placeholder text := chr(1);
    free_right text := right_text;
    found integer;
    left_matched text := '';
    right_matched text[] := '{}';
    right_matched_text text;
    right_matched_chars text[];
    matches integer;
    out_of_order integer := 0;
    jaro double precision;
begin
    if left_text = right_text collate "C" then
        return 1;
    end if;
    left_length := char_length(left_text);
    right_length := char_length(right_text);
    if left_length = 0 or right_length = 0 then
        return 0;
    end if;
    left_chars := string_to_array(left_text, null);
    window_size := greatest(greatest(left_length, right_length) / 2 - 1, 0);
    while strpos(left_text, placeholder) > 0 loop
        placeholder := chr(ascii(placeholder) + 1);
    end loop;
    for left_position in 1..left_length loop
        found := strpos(substr(free_right, 1, left_position + window_size) collate "C", left_chars[left_position]);
        if found > 0 and found < left_position - window_size then
            found := strpos(
                substr(free_right, left_position - window_size, 2 * window_size + 1) collate "C",
                left_chars[left_position]
            );
            if found > 0 then
                found := found + left_position - window_size - 1;
            end if;
        end if;
        if found > 0 then
            free_right := overlay(free_right placing placeholder from found for 1);
            right_matched[found] := left_chars[left_position];
            left_matched := left_matched || left_chars[left_position];
        end if;
    end loop;
    if left_matched = '' then
        return 0;
    end if;
    matches := char_length(left_matched);
    -- right_matched is indexed by right position: its non-null elements are the matches in right order.
    right_matched_text := array_to_string(right_matched, '');
    if right_matched_text <> left_matched collate "C" then
        left_chars := string_to_array(left_matched, null);
        right_matched_chars := string_to_array(right_matched_text, null);
        for matched_position in 1..matches loop
            if left_chars[matched_position] <> right_matched_chars[matched_position] collate "C" then
                out_of_order := out_of_order + 1;
            end if;
        end loop;
    end if;
    jaro := (
        matches::double precision / left_length
        + matches::double precision / right_length
        + (matches - out_of_order / 2)::double precision / matches
    ) / 3;
    return jaro + (
        case
            when left_length >= 4 and left(left_text, 4) = left(right_text, 4) collate "C" then 4
            when left_length >= 3 and left(left_text, 3) = left(right_text, 3) collate "C" then 3
            when left_length >= 2 and left(left_text, 2) = left(right_text, 2) collate "C" then 2
            when left(left_text, 1) = left(right_text, 1) collate "C" then 1
            else 0
        end
    ) * 0.1::double precision * (1 - jaro);
end
{% endmacro %}
