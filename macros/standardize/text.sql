{#-
  Values that mean "nothing" in the sources we see (form defaults, CRM placeholders, French and English).
  Standardisation turns them into null; the raw column keeps what was typed. Compared lower-cased, with and
  without accents listed explicitly: stripping accents on every value of every column costs too much.
-#}
{% macro null_tokens() -%}
  {{ return(var('cdp_null_tokens', [
      '', 'n/a', 'n.a.', 'na', 'null', 'none', 'nil', 'nan', '-', '--', '?', '.',
      'unknown', 'inconnu', 'inconnue', 'nc', 'n.c.', 'non communique', 'non communiqué',
      'non renseigne', 'non renseigné'
  ])) }}
{%- endmacro %}


{#- Trimmed text with runs of white space folded to one space; null when blank or a null token. -#}
{% macro clean_text(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('clean_text', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
  {%- set folded = "trim(" ~ cdp.regexp_replace_all(dbt.cast(expression, dbt.type_string()), '\\s+', ' ') ~ ")" -%}
  case
    when {{ folded }} is null then null
    when lower({{ folded }}) in (
      {%- for token in cdp.null_tokens() %}'{{ token | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
    ) then null
    else {{ folded }}
  end
{%- endmacro %}


{#-
  Removes diacritics with translate(), which all our engines have (PostgreSQL's unaccent is an extension a
  user may not be allowed to create, Spark has nothing built in). Ligatures become two letters.
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

{#-
  DuckDB's translate() is slow (about 12 µs a value, a third of a staging build) while its strip_accents() is
  fast; strip_accents() only removes combining marks, so the letters with a stroke or bar, which have none,
  and the ligatures are replaced one by one to give exactly what default__strip_accents gives.
-#}
{% macro duckdb__strip_accents(expression) -%}
  {%- set result = namespace(sql='strip_accents(' ~ expression ~ ')') -%}
  {%- for letter, replacement in [
      ('đ', 'd'), ('ħ', 'h'), ('ı', 'i'), ('ŀ', 'l'), ('ł', 'l'), ('ø', 'o'), ('ŧ', 't'),
      ('Đ', 'D'), ('Ħ', 'H'), ('Ŀ', 'L'), ('Ł', 'L'), ('Ø', 'O'), ('Ŧ', 'T'),
      ('œ', 'oe'), ('Œ', 'OE'), ('æ', 'ae'), ('Æ', 'AE'), ('ß', 'ss')] -%}
    {%- set result.sql = "replace(" ~ result.sql ~ ", '" ~ letter ~ "', '" ~ replacement ~ "')" -%}
  {%- endfor -%}
  {{ result.sql }}
{%- endmacro %}
