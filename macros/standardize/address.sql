{#-
  Postal addresses: matching keys for the street line and the city, and the standard form of postal codes.

  The keys compare words, and regular-expression word boundaries are not portable (\b on RE2 and Java, \y on
  PostgreSQL), so words are matched with plain replace() on text padded with spaces, every space doubled so that
  consecutive words each keep their own pair of spaces (' av  du  bd ' finds ' av ' and ' bd ').
-#}

{#-
  Street-type and title abbreviations (French first, then German and English) and the one word each becomes.
  Ambiguous ones are resolved by position, see address_match_key. 'bis' and 'ter' (12 bis) are kept as they are.
-#}
{%- macro street_abbreviations() -%}
  {{ return({
      'av': 'avenue', 'ave': 'avenue', 'aven': 'avenue', 'avn': 'avenue',
      'bd': 'boulevard', 'bld': 'boulevard', 'blvd': 'boulevard', 'bvd': 'boulevard', 'boul': 'boulevard', 'boulv': 'boulevard',
      'r': 'rue',
      'pl': 'place', 'imp': 'impasse', 'all': 'allee', 'ch': 'chemin', 'chem': 'chemin', 'che': 'chemin',
      'rte': 'route', 'sq': 'square', 'fg': 'faubourg', 'fbg': 'faubourg', 'faub': 'faubourg',
      'crs': 'cours', 'qu': 'quai', 'pass': 'passage', 'res': 'residence', 'resid': 'residence',
      'prom': 'promenade', 'espl': 'esplanade', 'carr': 'carrefour', 'mte': 'montee', 'pte': 'porte',
      'lot': 'lotissement', 'lotiss': 'lotissement', 'ham': 'hameau', 'qua': 'quartier',
      'gal': 'general', 'mal': 'marechal', 'pdt': 'president',
      'cdt': 'commandant', 'prof': 'professeur', 'mgr': 'monseigneur', 'nd': 'notre dame',
      'str': 'strasse',
      'rd': 'road', 'ln': 'lane', 'ct': 'court', 'hwy': 'highway', 'pkwy': 'parkway', 'cres': 'crescent',
  }) }}
{%- endmacro -%}


{#- Lower case, accents removed, every run of characters other than a-z and 0-9 turned into one space. -#}
{%- macro address_words(expression) -%}
  {{ cdp.regexp_replace_all('lower(' ~ cdp.strip_accents(cdp.clean_text(expression)) ~ ')', '[^a-z0-9]+', ' ') }}
{%- endmacro -%}


{%- macro address_padded(words) -%}
  ' ' || replace(trim({{ words }}), ' ', '  ') || ' '
{%- endmacro -%}


{%- macro address_unpadded(padded) -%}
  nullif(trim({{ cdp.regexp_replace_all(padded, ' +', ' ') }}), '')
{%- endmacro -%}


{#-
  Matching key of a street line: "12 av. Victor Hugo", "12 Avenue Victor-Hugo" and "12 AVENUE VICTOR HUGO" all
  give "12 avenue victor hugo". Also: a number glued to a word is split ("12bis" = "12 bis"), German compounds
  are joined ("Haupt Str." = "Hauptstraße" = "hauptstrasse").
  Ambiguous abbreviations, decided by position: "st"/"ste" before another word are "saint"/"sainte" (French
  "St Honoré", English "St Andrews Road"), "st" as the last word is "street" (English "Main St"); likewise "dr"
  is "docteur" before another word ("rue du Dr Roux") and "drive" as the last word. Limitation: an English "St"
  followed by a unit ("Main St Apt 4") is read as "saint".
-#}
{%- macro address_match_key(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('address_match_key', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__address_match_key(expression) -%}
  {%- set words = cdp.regexp_replace_all(cdp.address_words(expression), '([0-9])([a-z])', '\\1 \\2') -%}
  {%- set key = namespace(sql=cdp.address_padded(words)) -%}
  {#- Last word first: ' st ' followed by the end of the text (one space, see address_padded). -#}
  {%- set key.sql = cdp.regexp_replace_all(key.sql, ' st $', ' street ') -%}
  {%- set key.sql = cdp.regexp_replace_all(key.sql, ' dr $', ' drive ') -%}
  {%- for abbreviation, word in {'st': 'saint', 'ste': 'sainte', 'dr': 'docteur'}.items() | list + cdp.street_abbreviations().items() | list -%}
    {%- set key.sql = "replace(" ~ key.sql ~ ", ' " ~ abbreviation ~ " ', ' " ~ word ~ " ')" -%}
  {%- endfor -%}
  {%- set folded = cdp.address_unpadded(key.sql) -%}
  {#- German street names: "<name> strasse" and "<name>str" are written "<name>strasse". -#}
  {{ cdp.regexp_replace_all(cdp.regexp_replace_all(folded, '([a-z])str( |$)', '\\1strasse\\2'), '([a-z]) strasse( |$)', '\\1strasse\\2') }}
{%- endmacro -%}


{#-
  Matching key of a city: lower case, accents removed, punctuation (hyphens, apostrophes) as spaces, "st"/"ste"
  as "saint"/"sainte", "s/" as "sur", "mt" as "mont", and the postal routing words removed ("CEDEX 09", "Cedex"),
  as well as arrondissement numbers ("Paris 15e", "LYON 3EME", "Marseille 8e arrondissement"): the postal code
  carries them. "Saint-Étienne" = "ST ETIENNE" = "st-etienne" = "saint etienne".
-#}
{%- macro city_match_key(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('city_match_key', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__city_match_key(expression) -%}
  {%- set words = cdp.regexp_replace_all(cdp.address_words(expression), '([0-9])([a-z])', '\\1 \\2') -%}
  {%- set key = namespace(sql=cdp.address_padded(words)) -%}
  {%- for abbreviation, word in {'st': 'saint', 'ste': 'sainte', 's': 'sur', 'mt': 'mont'}.items() -%}
    {%- set key.sql = "replace(" ~ key.sql ~ ", ' " ~ abbreviation ~ " ', ' " ~ word ~ " ')" -%}
  {%- endfor -%}
  {#- 'cedex' and everything after it is routing, then ordinals and numbers are arrondissements. -#}
  {%- set key.sql = cdp.regexp_replace_all(key.sql, ' cedex .*$', ' ') -%}
  {%- set key.sql = cdp.regexp_replace_all(key.sql, ' [0-9]+  (er|e|eme|ieme|em) ', ' ') -%}
  {%- for word in ['arrondissement', 'arr'] -%}
    {%- set key.sql = "replace(" ~ key.sql ~ ", ' " ~ word ~ " ', ' ')" -%}
  {%- endfor -%}
  {{ cdp.address_unpadded(cdp.regexp_replace_all(key.sql, ' [0-9]+ ', ' ')) }}
{%- endmacro -%}


{#-
  Postal code as written on an envelope without separators: upper case, spaces, hyphens and dots removed
  ("sw1a 1aa" -> "SW1A1AA", "75 001" -> "75001"). Also undone: a number exported as a float ("1000.0"), and the
  old European country prefix ("F-75001", "D-10115", "CH-1200"). French and Monegasque codes that lost their
  leading zero in a spreadsheet get it back ("1000" -> "01000"). `country_expression` is the record's ISO
  alpha-2 country (null -> var cdp_default_country). Null when blank.
-#}
{%- macro standardize_postcode(expression, country_expression='null') -%}
  {{ return(adapter.dispatch('standardize_postcode', 'cdp')(expression, country_expression)) }}
{%- endmacro -%}

{%- macro default__standardize_postcode(expression, country_expression) -%}
  {%- set cleaned = 'upper(' ~ cdp.clean_text(expression) ~ ')' -%}
  {%- set without_float = cdp.regexp_replace_all(cleaned, '^([0-9]+)[.]0+$', '\\1') -%}
  {%- set without_prefix = cdp.regexp_replace_all(without_float, '^(F|FR|D|DE|B|BE|CH|L|LU|A|AT|I|IT|E|ES|NL|P|PT|MC)-([0-9])', '\\2') -%}
  {%- set compact = cdp.regexp_replace_all(without_prefix, '[\\s.-]+', '') -%}
  {%- set country -%}
    coalesce(upper(trim(cast({{ country_expression }} as {{ dbt.type_string() }}))), '{{ var('cdp_default_country', 'FR') | upper }}')
  {%- endset -%}
  case
    when {{ country }} in ('FR', 'MC') and {{ cdp.regexp_matches(compact, '^[0-9]{4}$') }} then '0' || {{ compact }}
    else nullif({{ compact }}, '')
  end
{%- endmacro -%}
