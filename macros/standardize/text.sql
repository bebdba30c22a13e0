{#-
  Values that mean "nothing" in the sources we see (form defaults, CRM placeholders, French and English).
  Standardisation turns them into null; the raw column keeps what was typed.
-#}
{% macro null_tokens() -%}
  {{ return(var('cdp_null_tokens', [
      '', 'n/a', 'n.a.', 'na', 'null', 'none', 'nil', 'nan', '-', '--', '?', '.',
      'unknown', 'inconnu', 'inconnue', 'nc', 'n.c.', 'non communique', 'non renseigne'
  ])) }}
{%- endmacro %}


{#- Trimmed text with runs of white space folded to one space; null when blank or a null token. -#}
{% macro clean_text(expression) -%}
  {{ return(adapter.dispatch('clean_text', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
  {%- set folded = "trim(" ~ cdp.regexp_replace_all(dbt.cast(expression, dbt.type_string()), '\\s+', ' ') ~ ")" -%}
  case
    when {{ folded }} is null then null
    when {{ cdp.strip_accents('lower(' ~ folded ~ ')') }} in (
      {%- for token in cdp.null_tokens() %}'{{ token | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
    ) then null
    else {{ folded }}
  end
{%- endmacro %}


{#-
  Removes diacritics with translate(), which all our engines have (DuckDB's strip_accents, PostgreSQL's
  unaccent extension and Spark have no common function). Ligatures become two letters.
  Expects lower-case input for the ligatures; upper-case accented letters are mapped too.
-#}
{% macro strip_accents(expression) -%}
  {{ return(adapter.dispatch('strip_accents', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}
  replace(replace(replace(replace(replace(translate({{ expression }},
    'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžÀÁÂÃÄÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮİĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕÖØŌŎŐŔŖŘŚŜŞŠŢŤŦÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ',
    'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzAAAAAAAAACCCCCDDEEEEEEEEEGGGGHHIIIIIIIIIJKLLLLLNNNNOOOOOOOOORRRSSSSTTTUUUUUUUUUUWYYYZZZ'),
    'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss')
{%- endmacro %}
