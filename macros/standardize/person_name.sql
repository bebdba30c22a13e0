{#-
  Given and family names, each held in its own field.

  person_name_display: the form to greet someone with. Trimmed, white space folded, typographic apostrophes
  made plain, spaces around hyphens and apostrophes removed ("Jean - Pierre" -> "Jean-Pierre"), then every part
  capitalised: after a space, a hyphen, an apostrophe or a period ("JEAN-PIERRE" -> "Jean-Pierre",
  "o'brien" -> "O'Brien", "j.-p." -> "J.-P.", "éloïse" -> "Éloïse"). Then the name particles are written in lower
  case when another word follows them, first word included: de, du, des, d', van, von, der, den, ter, ten, zu,
  di, da, del, della, dos, das, and le/la/les right after de ("DE LA FONTAINE" -> "de la Fontaine",
  "VAN DER BERG" -> "van der Berg", "d'ARTAGNAN" -> "d'Artagnan"). Choices, since the macro cannot know the
  language or whether the field is a given or a family name:
  - a particle heading a family name stays lower case, as French and Dutch write it after a given name
    ("Jean de la Fontaine", "Jan van der Berg"); strict French typography capitalises an article that is part
    of the name ("Jean de La Fontaine") and Italian usage capitalises Di/Del/D' ("Di Maria", "D'Amico"): both
    come out in lower case here;
  - a particle that is the last word is a name on its own and is capitalised ("DU" -> "Du", "DAS" -> "Das",
    "LE" -> "Le", "Marine Le Pen" keeps "Le");
  - Mc/Mac names get no inner capital ("MCDONALD" -> "Mcdonald").
  Case mapping of accented letters relies on each engine's Unicode rules (on PostgreSQL, on the database's
  LC_CTYPE: a database created with LC_CTYPE=C leaves "é" alone).

  person_name_match_key: lower case, accents removed, every character but a-z dropped ("Jean-Pierre" ->
  "jeanpierre", "D'Artagnan" -> "dartagnan", "de la Fontaine" -> "delafontaine"). "Müller" -> "muller": umlauts
  lose their dots as cdp.strip_accents does (the German transliteration "mueller" would not match the frequent
  French spelling "Muller"); null when nothing is left.
-#}

{%- macro person_name_particles() -%}
  {{ return(['de', 'du', 'des', 'van', 'von', 'der', 'den', 'ter', 'ten', 'zu', 'di', 'da', 'del', 'della', 'dos', 'das']) }}
{%- endmacro -%}


{#- Cleaned, lower-cased text with plain apostrophes and no spaces around hyphens or apostrophes. -#}
{%- macro person_name_lowered(expression) -%}
  {%- set plain = cdp.regexp_replace_all(cdp.clean_text(expression), "[\u2019\u2018\u02bc`\u00b4]", "'") -%}
  lower({{ cdp.regexp_replace_all(plain, " ?([-']) ?", '\\1') }})
{%- endmacro -%}


{#-
  Lower-cases the particles of a capitalised name. Doubling every space gives each word its own pair of
  surrounding spaces, so plain replace() calls find consecutive particles ("Van Der") and a particle followed by
  another word (two spaces after it), but not a last word (one space, then the end).
-#}
{%- macro person_name_lower_particles(capitalised) -%}
  {%- set padded = namespace(sql="' ' || replace(" ~ capitalised ~ ", ' ', '  ') || ' '") -%}
  {%- for particle in cdp.person_name_particles() -%}
    {%- set padded.sql = "replace(" ~ padded.sql ~ ", ' " ~ particle | capitalize ~ "  ', ' " ~ particle ~ "  ')" -%}
  {%- endfor -%}
  {%- for article in ['la', 'le', 'les'] -%}
    {%- set padded.sql = "replace(" ~ padded.sql ~ ", ' de  " ~ article | capitalize ~ "  ', ' de  " ~ article ~ "  ')" -%}
  {%- endfor -%}
  {#- chr(39) because Spark reads 'D''' as two adjacent literals, not as an escaped quote. -#}
  {%- set padded.sql = "replace(" ~ padded.sql ~ ", ' D' || chr(39), ' d' || chr(39))" -%}
  trim(replace({{ padded.sql }}, '  ', ' '))
{%- endmacro -%}


{#- Display form of a given or family name (see the top of this file); null when blank. -#}
{%- macro person_name_display(expression) -%}
  {{ return(adapter.dispatch('person_name_display', 'cdp')(expression)) }}
{%- endmacro -%}

{#- initcap() capitalises after any character that is not a letter or a digit. -#}
{%- macro default__person_name_display(expression) -%}
  {{ cdp.person_name_lower_particles('initcap(' ~ cdp.person_name_lowered(expression) ~ ')') }}
{%- endmacro -%}

{#-
  DuckDB has no initcap(): split on each delimiter in turn and upper-case the first character of every piece.
  (Python-style lambdas: the arrow form is refused by DuckDB 1.4+.)
-#}
{%- macro duckdb__person_name_display(expression) -%}
  {%- set capitalised = namespace(sql=cdp.person_name_lowered(expression)) -%}
  {%- for delimiter in [" ", "-", "''", "."] -%}
    {%- set capitalised.sql -%}
      array_to_string(list_transform(string_split({{ capitalised.sql }}, '{{ delimiter }}'),
        lambda name_part: upper(substr(name_part, 1, 1)) || substr(name_part, 2)), '{{ delimiter }}')
    {%- endset -%}
  {%- endfor -%}
  {{ cdp.person_name_lower_particles(capitalised.sql) }}
{%- endmacro -%}

{#- Spark's initcap() only splits on spaces; split() takes a regular expression, hence [.] and chr(39) for '. -#}
{%- macro spark__person_name_display(expression) -%}
  {%- set capitalised = namespace(sql=cdp.person_name_lowered(expression)) -%}
  {%- for delimiter, pattern in [("' '", "' '"), ("'-'", "'-'"), ("chr(39)", "chr(39)"), ("'.'", "'[.]'")] -%}
    {%- set capitalised.sql -%}
      array_join(transform(split({{ capitalised.sql }}, {{ pattern }}),
        name_part -> concat(upper(substr(name_part, 1, 1)), substr(name_part, 2))), {{ delimiter }})
    {%- endset -%}
  {%- endfor -%}
  {{ cdp.person_name_lower_particles(capitalised.sql) }}
{%- endmacro -%}


{#- Matching key of a given or family name: a-z only, accents removed; null when nothing is left. -#}
{%- macro person_name_match_key(expression) -%}
  {{ return(adapter.dispatch('person_name_match_key', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__person_name_match_key(expression) -%}
  nullif({{ cdp.regexp_replace_all('lower(' ~ cdp.strip_accents(cdp.clean_text(expression)) ~ ')', '[^a-z]+', '') }}, '')
{%- endmacro -%}
