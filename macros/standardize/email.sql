{#-
  Email addresses.

  standardize_email: the address as a mail server would accept it for delivery, lower-cased (local parts are
  case-sensitive in theory, never in practice), every white space removed ("jean .dupont@ gmail.com" is a
  copy-paste or keyboard slip), or null when it is not a plausible address: one '@', a local part of 1 to 64
  characters from the unquoted RFC 5322 set minus the rarely-seen ` { | } (no leading, trailing or double dots),
  a domain of dot-separated labels ending in a TLD of two or more letters, 254 characters at most. Quoted local
  parts, IP-literal domains and internationalised (non-ASCII) addresses are rejected: they do not occur in
  customer data often enough to be worth the false positives.

  email_match_key: the form used to decide that two addresses reach the same mailbox:
  - a "+tag" in the local part is dropped for every provider (Gmail, Outlook, Yahoo, iCloud, Fastmail and most
    corporate servers deliver jean+promo@ to jean@), a local part that is only a tag is kept;
  - Gmail ignores dots in the local part, and googlemail.com is the same service: both become gmail.com;
  - misspelt provider names are corrected (the list below, extended or overridden by the var
    `cdp_email_domain_corrections`, a dict {typo: domain}). Only the provider name is ever corrected, never the
    TLD: gmail.fr, yahoo.com/yahoo.fr and hotmail.com/hotmail.fr are real, distinct domains (gmail.fr is not a
    Gmail domain), and guessing there could merge two people. Add {'gmail.fr': 'gmail.com'} to the var if your
    data shows that your customers mean gmail.com.
-#}

{%- macro email_domain_corrections() -%}
  {%- set corrections = {
      'googlemail.com': 'gmail.com',
      'gmial.com': 'gmail.com', 'gmal.com': 'gmail.com', 'gmaill.com': 'gmail.com', 'gamil.com': 'gmail.com',
      'gmai.com': 'gmail.com', 'gnail.com': 'gmail.com', 'gmail.con': 'gmail.com', 'gmail.cmo': 'gmail.com',
      'hotmial.com': 'hotmail.com', 'hotmal.com': 'hotmail.com', 'hotmai.com': 'hotmail.com', 'homail.com': 'hotmail.com',
      'hotmail.con': 'hotmail.com',
      'hotmial.fr': 'hotmail.fr', 'hotmal.fr': 'hotmail.fr', 'hotmai.fr': 'hotmail.fr', 'homail.fr': 'hotmail.fr',
      'yahooo.com': 'yahoo.com', 'yaho.com': 'yahoo.com', 'yahoo.con': 'yahoo.com',
      'yahooo.fr': 'yahoo.fr', 'yaho.fr': 'yahoo.fr',
      'outlok.com': 'outlook.com', 'outloo.com': 'outlook.com', 'outlook.con': 'outlook.com', 'outlok.fr': 'outlook.fr',
      'oragne.fr': 'orange.fr', 'ornage.fr': 'orange.fr', 'orage.fr': 'orange.fr',
      'wanado.fr': 'wanadoo.fr', 'wanaddo.fr': 'wanadoo.fr',
      'lapost.net': 'laposte.net', 'laposte.ne': 'laposte.net',
      'icoud.com': 'icloud.com', 'iclou.com': 'icloud.com', 'icloud.con': 'icloud.com',
  } -%}
  {%- set overrides = var('cdp_email_domain_corrections', {}) -%}
  {%- if overrides is not mapping -%}
    {{ exceptions.raise_compiler_error("The var cdp_email_domain_corrections must be a dict {misspelt domain: domain}, got: " ~ overrides) }}
  {%- endif -%}
  {%- for typo, domain in overrides.items() -%}
    {%- if not modules.re.match('^[a-z0-9.-]+$', typo | string) or not modules.re.match('^[a-z0-9.-]+$', domain | string) -%}
      {{ exceptions.raise_compiler_error("cdp_email_domain_corrections: '" ~ typo ~ "': '" ~ domain
          ~ "' is not a pair of lower-case domain names.") }}
    {%- endif -%}
    {%- do corrections.update({typo: domain}) -%}
  {%- endfor -%}
  {{ return(corrections) }}
{%- endmacro -%}


{#- Lower-cased text without any white space (no-break spaces included); null stays null. -#}
{%- macro email_compact(expression) -%}
  lower({{ cdp.regexp_replace_all('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')', '[\\s\u00a0\u202f]+', '') }})
{%- endmacro -%}


{%- macro email_pattern() -%}
  {%- set atom = "[a-z0-9!#$%&'*+/=?^_~-]+" -%}
  {%- set label = '[a-z0-9]([a-z0-9-]*[a-z0-9])?' -%}
  {{ return('^' ~ atom ~ '([.]' ~ atom ~ ')*@(' ~ label ~ '[.])+[a-z]{2,}$') }}
{%- endmacro -%}


{#- The lower-cased address without white space, or null when it is missing or not a plausible address. -#}
{%- macro standardize_email(expression) -%}
  {{ return(adapter.dispatch('standardize_email', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__standardize_email(expression) -%}
  {{ cdp.let_value('email_compact', cdp.email_compact(expression),
      "case when " ~ cdp.regexp_matches('email_compact', cdp.email_pattern())
      ~ " and length(email_compact) <= 254 and " ~ dbt.position("'@'", 'email_compact') ~ " <= 65 then email_compact end") }}
{%- endmacro -%}


{#- null when the address is usable, else 'missing' or 'invalid_format'. -#}
{%- macro email_issue(expression) -%}
  {{ return(adapter.dispatch('email_issue', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__email_issue(expression) -%}
  case
    when {{ cdp.clean_text(expression) }} is null then 'missing'
    when {{ cdp.standardize_email(expression) }} is null then 'invalid_format'
  end
{%- endmacro -%}


{#- The matching form of a valid address (see the top of this file), or null when it is not valid. -#}
{%- macro email_match_key(expression) -%}
  {{ return(adapter.dispatch('email_match_key', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__email_match_key(expression) -%}
  {#- A valid address has exactly one '@', so both parts exist (dbt.split_part indexes an array on Spark). -#}
  {%- set domain_part = dbt.split_part('email_valid', "'@'", 2) -%}
  {%- set domain = "coalesce(" ~ cdp.lookup_value(domain_part, cdp.email_domain_corrections()) ~ ", " ~ domain_part ~ ")" -%}
  {%- set local_part = dbt.split_part('email_valid', "'@'", 1) -%}
  {%- set untagged = "coalesce(nullif(" ~ cdp.regexp_replace_all(local_part, '[+].*$', '') ~ ", ''), " ~ local_part ~ ")" -%}
  {%- set key -%}
    case when email_domain = 'gmail.com' then replace(email_local, '.', '') else email_local end || '@' || email_domain
  {%- endset -%}
  {{ cdp.let_value('email_valid', cdp.standardize_email(expression),
      "case when email_valid is not null then "
      ~ cdp.let_value('email_domain', domain, cdp.let_value('email_local', untagged, key))
      ~ " end") }}
{%- endmacro -%}
