{#-
  Consent channels and decisions as the CDP names them. Collecting systems spell them many ways
  ("E-mail", "Téléphone", "opt-out", "unsubscribed"); anything unrecognised maps to null (and the raw value
  is kept), so an unknown spelling can never be read as a grant.
-#}
{% macro consent_channels() -%}
  {{ return(['email', 'sms', 'phone', 'ads_personalisation']) }}
{%- endmacro %}

{% macro standardize_consent_channel(expression) -%}
  {%- set key = cdp.regexp_replace_all(cdp.strip_accents('lower(' ~ cdp.clean_text(expression) ~ ')'), '[^a-z]', '') -%}
  case
    when {{ key }} in ('email', 'mail', 'courriel', 'newsletter') then 'email'
    when {{ key }} in ('sms', 'texto', 'text', 'textmessage', 'mms') then 'sms'
    when {{ key }} in ('phone', 'telephone', 'tel', 'call', 'calls', 'phonecall', 'telemarketing') then 'phone'
    when {{ key }} in (
      'ads', 'adspersonalisation', 'adspersonalization', 'adpersonalisation', 'adpersonalization',
      'advertising', 'personalisedads', 'personalizedads', 'publicite', 'targeting'
    ) then 'ads_personalisation'
  end
{%- endmacro %}

{% macro standardize_consent_status(expression) -%}
  {%- set key = cdp.regexp_replace_all(cdp.strip_accents('lower(' ~ cdp.clean_text(expression) ~ ')'), '[^a-z0-9]', '') -%}
  case
    when {{ key }} in ('granted', 'grant', 'optin', 'yes', 'y', 'true', '1', 'oui', 'subscribed', 'subscribe', 'accepted', 'accept', 'given') then 'granted'
    when {{ key }} in (
      'withdrawn', 'withdraw', 'optout', 'no', 'n', 'false', '0', 'non', 'unsubscribed', 'unsubscribe',
      'revoked', 'revoke', 'refused', 'denied', 'declined'
    ) then 'withdrawn'
  end
{%- endmacro %}
