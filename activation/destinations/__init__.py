"""Destination types: the built-in ones, and any a package registers under the entry-point group
`cdp.activation.destinations` (name = type name, value = `module:Class`), so a third party can add one
without forking."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from activation.destinations.base import Destination
from activation.errors import ConfigurationError

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "cdp.activation.destinations"


def _built_in() -> dict[str, type[Destination]]:
    from activation.destinations.brevo import BrevoDestination
    from activation.destinations.files import FilesDestination
    from activation.destinations.google_ads import GoogleAdsCustomerMatchDestination
    from activation.destinations.hubspot import HubSpotDestination
    from activation.destinations.klaviyo import KlaviyoDestination
    from activation.destinations.linkedin import LinkedInMatchedAudienceDestination
    from activation.destinations.mailchimp import MailchimpDestination
    from activation.destinations.meta import MetaCustomAudienceDestination
    from activation.destinations.salesforce import SalesforceDestination
    from activation.destinations.tiktok import TikTokAudienceDestination
    from activation.destinations.webhook import WebhookDestination

    return {
        cls.type_name: cls
        for cls in (
            WebhookDestination,
            FilesDestination,
            MetaCustomAudienceDestination,
            GoogleAdsCustomerMatchDestination,
            TikTokAudienceDestination,
            HubSpotDestination,
            SalesforceDestination,
            MailchimpDestination,
            BrevoDestination,
            KlaviyoDestination,
            LinkedInMatchedAudienceDestination,
        )
    }


def available_destinations() -> dict[str, type[Destination]]:
    """Every destination type by name: built-ins first, then plugins (a plugin cannot shadow a built-in)."""
    types = _built_in()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in types:
            logger.warning("Ignoring plugin destination %r: the name is built in", entry_point.name)
            continue
        try:
            loaded = entry_point.load()
        except Exception as error:  # a broken plugin must not break every other destination
            logger.warning("Cannot load destination plugin %r: %s", entry_point.name, error)
            continue
        if not (isinstance(loaded, type) and issubclass(loaded, Destination)):
            logger.warning("Destination plugin %r is not a Destination subclass", entry_point.name)
            continue
        types[entry_point.name] = loaded
    return types


def destination_type(name: str) -> type[Destination]:
    types = available_destinations()
    if name not in types:
        raise ConfigurationError(f"Unknown destination type {name!r}: available {', '.join(sorted(types))}")
    return types[name]
