"""Reference data the generator draws from: names, streets, cities, e-mail providers, countries, stores.

Everything is built into the code (no Faker, no download) so that output only depends on the seed. Lists are
ordered by popularity: samplers give earlier entries more weight, which makes common names repeat the way
they do in real customer files (and produces namesakes).
"""

from __future__ import annotations

from dataclasses import dataclass


def _split(text: str) -> tuple[str, ...]:
    """Comma-separated literal -> tuple of stripped, non-empty items."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


# --------------------------------------------------------------------------------------------- countries

COUNTRIES: tuple[str, ...] = ("FR", "BE", "CH", "DE", "ES", "IT", "GB", "NL", "US")
COUNTRY_INDEX: dict[str, int] = {code: i for i, code in enumerate(COUNTRIES)}

#: Currency of each country's shoppers (orders are charged in the shopper's currency).
COUNTRY_CURRENCY: dict[str, str] = {
    "FR": "EUR",
    "BE": "EUR",
    "CH": "CHF",
    "DE": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "GB": "GBP",
    "NL": "EUR",
    "US": "USD",
}
CURRENCIES: tuple[str, ...] = ("EUR", "GBP", "CHF", "USD")
CURRENCY_INDEX: dict[str, int] = {code: i for i, code in enumerate(CURRENCIES)}
#: Catalogue prices are in EUR; other currencies are charged at these rates.
CURRENCY_RATE: dict[str, float] = {"EUR": 1.0, "GBP": 0.86, "CHF": 0.95, "USD": 1.09}
CURRENCY_SYMBOL: dict[str, str] = {"EUR": "€", "GBP": "£", "CHF": "CHF", "USD": "$"}

#: How the country is written: slot 0 is the ISO alpha-2 code, slot 1 the French name (the brand is French),
#: slot 2 ISO alpha-3, slot 3 the local name, then casing variants and other languages.
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "FR": ("FR", "France", "FRA", "France", "FRANCE", "france", "Frankreich", "Francia"),
    "BE": ("BE", "Belgique", "BEL", "België", "BELGIQUE", "belgique", "Belgium", "Belgien"),
    "CH": ("CH", "Suisse", "CHE", "Schweiz", "SUISSE", "suisse", "Switzerland", "Svizzera"),
    "DE": ("DE", "Allemagne", "DEU", "Deutschland", "DEUTSCHLAND", "deutschland", "Germany", "Alemania"),
    "ES": ("ES", "Espagne", "ESP", "España", "ESPAÑA", "Espana", "Spain", "Spanien"),
    "IT": ("IT", "Italie", "ITA", "Italia", "ITALIA", "italia", "Italy", "Italien"),
    "GB": ("GB", "Royaume-Uni", "GBR", "United Kingdom", "UK", "UNITED KINGDOM", "Great Britain", "England"),
    "NL": ("NL", "Pays-Bas", "NLD", "Nederland", "NEDERLAND", "Netherlands", "Holland", "Niederlande"),
    "US": ("US", "États-Unis", "USA", "United States", "USA", "Etats-Unis", "U.S.A.", "Vereinigte Staaten"),
}
COUNTRY_SPELLING_SLOTS = 8

#: Preferred-language spellings as CRMs store them.
LANGUAGE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "FR": ("fr", "FR", "French", "français", "fr-FR", "Français"),
    "BE": ("fr", "nl", "fr-BE", "nl-BE", "Français", "Nederlands"),
    "CH": ("fr", "de", "fr-CH", "de-CH", "Français", "Deutsch"),
    "DE": ("de", "DE", "German", "Deutsch", "de-DE", "allemand"),
    "ES": ("es", "ES", "Spanish", "español", "es-ES", "espagnol"),
    "IT": ("it", "IT", "Italian", "italiano", "it-IT", "italien"),
    "GB": ("en", "EN", "English", "anglais", "en-GB", "english"),
    "NL": ("nl", "NL", "Dutch", "Nederlands", "nl-NL", "néerlandais"),
    "US": ("en", "EN", "English", "anglais", "en-US", "english"),
}

#: Civility by country, (female options, male options).
SALUTATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "FR": (("Mme", "Madame", "Mme.", "Mlle"), ("M.", "Monsieur", "M", "Mr")),
    "BE": (("Mme", "Madame", "Mevr.", "Mevrouw"), ("M.", "Monsieur", "Dhr.", "Meneer")),
    "CH": (("Mme", "Madame", "Frau", "Mme."), ("M.", "Monsieur", "Herr", "M")),
    "DE": (("Frau", "Fr.", "Frau", "Mme"), ("Herr", "Hr.", "Herr", "M.")),
    "ES": (("Sra.", "Señora", "Sra", "Mme"), ("Sr.", "Señor", "Sr", "M.")),
    "IT": (("Sig.ra", "Signora", "Sig.ra", "Mme"), ("Sig.", "Signor", "Sig", "M.")),
    "GB": (("Mrs", "Ms", "Miss", "Mrs."), ("Mr", "Mr.", "Mr", "M.")),
    "NL": (("Mevr.", "Mevrouw", "Mw.", "Mme"), ("Dhr.", "De heer", "Hr.", "M.")),
    "US": (("Ms.", "Mrs.", "Ms", "Miss"), ("Mr.", "Mr", "Mr.", "M.")),
}

#: IANA zone of each country's residents (US cities override with their own zone).
COUNTRY_ZONE: dict[str, str] = {
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "GB": "Europe/London",
    "NL": "Europe/Amsterdam",
    "US": "America/New_York",
}
#: Zones used for local timestamps. All continental zones share Central European rules, so one suffices.
ZONES: tuple[str, ...] = (
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
ZONE_OF_COUNTRY: dict[str, int] = {
    code: (1 if code == "GB" else 2 if code == "US" else 0) for code in COUNTRIES
}

# --------------------------------------------------------------------------------------------- phones


@dataclass(frozen=True)
class PhonePlan:
    """National numbering of one line type of one country.

    A number is ``lead`` + one of ``prefixes`` + ``free_digits`` digits; ``nsn`` (national significant number)
    excludes the trunk ``0``. Templates render the NSN digits (``#``) with each style's punctuation.
    """

    calling_code: str
    prefixes: tuple[str, ...]
    free_digits: int
    templates: dict[str, str]


def _plan(calling_code: str, prefixes: str, free_digits: int, **templates: str) -> PhonePlan:
    return PhonePlan(calling_code, _split(prefixes), free_digits, templates)


# Template styles: nat_compact, nat_spaced, nat_dotted, intl_spaced, e164, intl_00, intl_trunk (+33 (0)6 ...).
MOBILE_PLANS: dict[str, PhonePlan] = {
    # FR 06/07 + 8 digits.
    "FR": _plan(
        "33",
        "6,7",
        8,
        nat_compact="0#########",
        nat_spaced="0# ## ## ## ##",
        nat_dotted="0#.##.##.##.##",
        intl_spaced="+33 # ## ## ## ##",
        e164="+33#########",
        intl_00="0033 # ## ## ## ##",
        intl_00_compact="0033#########",
        intl_trunk="+33 (0)# ## ## ## ##",
    ),
    # BE 047x/048x/049x + 6 digits: 0470 12 34 56.
    "BE": _plan(
        "32",
        "47,48,49",
        7,
        nat_compact="0#########",
        nat_spaced="0### ## ## ##",
        nat_dotted="0###/##.##.##",
        intl_spaced="+32 ### ## ## ##",
        e164="+32#########",
        intl_00="0032 ### ## ## ##",
    ),
    # CH 075-079 + 7 digits: 079 123 45 67.
    "CH": _plan(
        "41",
        "75,76,77,78,79",
        7,
        nat_compact="0#########",
        nat_spaced="0## ### ## ##",
        nat_dotted="0##.###.##.##",
        intl_spaced="+41 ## ### ## ##",
        e164="+41#########",
        intl_00="0041 ## ### ## ##",
    ),
    # DE 015x/016x/017x + 8 digits: 0151 23456789.
    "DE": _plan(
        "49",
        "151,152,157,159,160,162,163,170,171,172,173,174,175,176,177,178,179",
        8,
        nat_compact="0###########",
        nat_spaced="0### ########",
        nat_dotted="0###/########",
        intl_spaced="+49 ### ########",
        e164="+49###########",
        intl_00="0049 ### ########",
    ),
    # ES 6xx xx xx xx (no trunk prefix).
    "ES": _plan(
        "34",
        "6,7",
        8,
        nat_compact="#########",
        nat_spaced="### ## ## ##",
        nat_dotted="### ### ###",
        intl_spaced="+34 ### ## ## ##",
        e164="+34#########",
        intl_00="0034 #########",
    ),
    # IT 3xx xxx xxxx (no trunk prefix for mobiles).
    "IT": _plan(
        "39",
        "32,33,34,35,36,37,38,39",
        8,
        nat_compact="##########",
        nat_spaced="### ### ####",
        nat_dotted="###.###.####",
        intl_spaced="+39 ### ### ####",
        e164="+39##########",
        intl_00="0039 ##########",
    ),
    # UK 07xxx xxxxxx.
    "GB": _plan(
        "44",
        "74,75,77,78,79",
        8,
        nat_compact="0##########",
        nat_spaced="0#### ######",
        nat_dotted="0#### ### ###",
        intl_spaced="+44 #### ######",
        e164="+44##########",
        intl_00="0044 #### ######",
        intl_trunk="+44 (0)#### ######",
    ),
    # NL 06 + 8 digits.
    "NL": _plan(
        "31",
        "6",
        8,
        nat_compact="0#########",
        nat_spaced="0# ########",
        nat_dotted="0#-########",
        intl_spaced="+31 # ########",
        e164="+31#########",
        intl_00="0031 # ########",
    ),
    # US: area code + 7 digits: (212) 555-0123.
    "US": _plan(
        "1",
        "212,646,917,718,347,213,310,323,415,628,312,773,617,857,305,786,206,202,512,404",
        7,
        nat_compact="##########",
        nat_spaced="(###) ###-####",
        nat_dotted="###.###.####",
        intl_spaced="+1 ###-###-####",
        e164="+1##########",
        intl_00="001 ### ### ####",
    ),
}

LANDLINE_PLANS: dict[str, PhonePlan] = {
    # FR 01-05 by region + 8 digits; the prefix is chosen from the city's region.
    "FR": _plan(
        "33",
        "1,2,3,4,5",
        8,
        nat_compact="0#########",
        nat_spaced="0# ## ## ## ##",
        nat_dotted="0#.##.##.##.##",
        intl_spaced="+33 # ## ## ## ##",
        e164="+33#########",
        intl_00="0033 # ## ## ## ##",
        intl_00_compact="0033#########",
        intl_trunk="+33 (0)# ## ## ## ##",
    ),
    "BE": _plan(
        "32",
        "2,3,4,9",
        7,
        nat_compact="0########",
        nat_spaced="0# ### ## ##",
        nat_dotted="0#/###.##.##",
        intl_spaced="+32 # ### ## ##",
        e164="+32########",
        intl_00="0032 # ### ## ##",
    ),
    "CH": _plan(
        "41",
        "22,21,44,31,61",
        7,
        nat_compact="0#########",
        nat_spaced="0## ### ## ##",
        nat_dotted="0##.###.##.##",
        intl_spaced="+41 ## ### ## ##",
        e164="+41#########",
        intl_00="0041 ## ### ## ##",
    ),
    "DE": _plan(
        "49",
        "30,40,89,69",
        8,
        nat_compact="0##########",
        nat_spaced="0## ########",
        nat_dotted="0##/########",
        intl_spaced="+49 ## ########",
        e164="+49##########",
        intl_00="0049 ## ########",
    ),
    "ES": _plan(
        "34",
        "91,93,96,95",
        7,
        nat_compact="#########",
        nat_spaced="## ### ## ##",
        nat_dotted="## ### ####",
        intl_spaced="+34 ## ### ## ##",
        e164="+34#########",
        intl_00="0034 #########",
    ),
    # Italian landlines keep their leading 0 even internationally.
    "IT": _plan(
        "39",
        "06,02",
        8,
        nat_compact="##########",
        nat_spaced="## ########",
        nat_dotted="##.########",
        intl_spaced="+39 ## ########",
        e164="+39##########",
        intl_00="0039 ##########",
    ),
    "GB": _plan(
        "44",
        "20",
        8,
        nat_compact="0##########",
        nat_spaced="0## #### ####",
        nat_dotted="0## ########",
        intl_spaced="+44 ## #### ####",
        e164="+44##########",
        intl_00="0044 ## #### ####",
        intl_trunk="+44 (0)## #### ####",
    ),
    "NL": _plan(
        "31",
        "20,10,30,70,40",
        7,
        nat_compact="0#########",
        nat_spaced="0## ### ####",
        nat_dotted="0##-#######",
        intl_spaced="+31 ## ### ####",
        e164="+31#########",
        intl_00="0031 ## ### ####",
    ),
    "US": MOBILE_PLANS["US"],
}

JUNK_PHONES: tuple[str, ...] = ("0000000000", "0600000000", "1234567890", "00 00 00 00 00", "0102030405")

# --------------------------------------------------------------------------------------------- e-mail


@dataclass(frozen=True)
class EmailDomain:
    """An e-mail provider and the typos people make in its name."""

    name: str
    typos: tuple[str, ...]
    gmail_rules: bool = False


EMAIL_DOMAINS: tuple[EmailDomain, ...] = (
    EmailDomain("gmail.com", _split("gmial.com,gmal.com,gmail.fr,gnail.com,gmail.con,gamil.com"), True),
    EmailDomain("googlemail.com", _split("googlemail.fr,googlemal.com,gogglemail.com"), True),
    EmailDomain("orange.fr", _split("ornage.fr,orange.com,orang.fr,oranje.fr")),
    EmailDomain("wanadoo.fr", _split("wanado.fr,wanadoo.com,wandoo.fr")),
    EmailDomain("free.fr", _split("fre.fr,free.com,freee.fr")),
    EmailDomain("sfr.fr", _split("sfr.com,srf.fr,sfr.fe")),
    EmailDomain("laposte.net", _split("laposte.fr,lapost.net,laposte.ne")),
    EmailDomain("hotmail.fr", _split("hotmial.fr,hotmail.fe,hotmal.fr,hotmail.fr.fr")),
    EmailDomain("hotmail.com", _split("hotmial.com,hotmail.co,hotmal.com,hotmai.com")),
    EmailDomain("outlook.com", _split("outlok.com,outlook.fr.com,outloook.com")),
    EmailDomain("outlook.fr", _split("outlok.fr,outlook.fe,outllok.fr")),
    EmailDomain("live.fr", _split("live.com.fr,liv.fr,live.fe")),
    EmailDomain("yahoo.fr", _split("yahou.fr,yaho.fr,yahoo.fe,yhaoo.fr")),
    EmailDomain("yahoo.com", _split("yahou.com,yaho.com,yahoo.co")),
    EmailDomain("icloud.com", _split("iclould.com,icloud.fr,icoud.com")),
    EmailDomain("me.com", _split("me.fr,mee.com")),
    EmailDomain("gmx.de", _split("gmx.com.de,gmx.dee,gxm.de")),
    EmailDomain("web.de", _split("web.com,wep.de,web.d")),
    EmailDomain("t-online.de", _split("tonline.de,t-onlin.de,t-online.com")),
    EmailDomain("skynet.be", _split("skynet.com,skynett.be,sknet.be")),
    EmailDomain("telenet.be", _split("telenet.com,telnet.be,telenett.be")),
    EmailDomain("bluewin.ch", _split("bluwin.ch,bluewin.com,bluewin.cj")),
    EmailDomain("hotmail.co.uk", _split("hotmail.co.k,hotmial.co.uk,hotmail.uk")),
    EmailDomain("btinternet.com", _split("btinternet.co.uk,btinterent.com,btinternet.con")),
    EmailDomain("yahoo.es", _split("yahoo.e,yahooo.es,yaho.es")),
    EmailDomain("libero.it", _split("libero.com,lbero.it,libero.itt")),
    EmailDomain("ziggo.nl", _split("zigo.nl,ziggo.com,ziggo.n")),
    EmailDomain("aol.com", _split("aol.co,aoll.com,aol.con")),
    EmailDomain("durand-associes.fr", _split("durand-associe.fr,durandassocies.fr")),
    EmailDomain("groupe-meridia.com", _split("groupe-merida.com,groupemeridia.com")),
    EmailDomain("cabinet-lefort.fr", _split("cabinet-lefort.com,cabinet-lfort.fr")),
    EmailDomain("univ-lyon.fr", _split("univ-lyon1.fr,univ-lyo.fr")),
    EmailDomain("ateliernova.fr", _split("ateliernova.com,atelier-nova.fr")),
)
EMAIL_DOMAIN_INDEX: dict[str, int] = {d.name: i for i, d in enumerate(EMAIL_DOMAINS)}
#: Typo slots per domain; shorter typo lists are cycled to fill them.
EMAIL_TYPO_SLOTS = 4

#: Provider shares per country (weights, normalised by the sampler).
EMAIL_PROVIDER_WEIGHTS: dict[str, dict[str, float]] = {
    "FR": {
        "gmail.com": 34,
        "googlemail.com": 1,
        "orange.fr": 11,
        "wanadoo.fr": 3,
        "free.fr": 7,
        "sfr.fr": 4,
        "laposte.net": 5,
        "hotmail.fr": 9,
        "hotmail.com": 2,
        "outlook.com": 3,
        "outlook.fr": 3,
        "live.fr": 2,
        "yahoo.fr": 6,
        "icloud.com": 5,
        "me.com": 1,
        "durand-associes.fr": 1,
        "groupe-meridia.com": 1,
        "cabinet-lefort.fr": 1,
        "univ-lyon.fr": 1,
    },
    "BE": {
        "gmail.com": 40,
        "skynet.be": 15,
        "telenet.be": 15,
        "hotmail.com": 12,
        "outlook.com": 8,
        "icloud.com": 5,
    },
    "CH": {"gmail.com": 40, "bluewin.ch": 30, "hotmail.com": 10, "icloud.com": 10, "gmx.de": 5},
    "DE": {
        "gmail.com": 30,
        "gmx.de": 25,
        "web.de": 25,
        "t-online.de": 12,
        "googlemail.com": 5,
        "outlook.com": 3,
    },
    "ES": {"gmail.com": 55, "hotmail.com": 20, "yahoo.es": 15, "outlook.com": 10},
    "IT": {"gmail.com": 50, "libero.it": 25, "hotmail.com": 10, "yahoo.com": 10, "icloud.com": 5},
    "GB": {
        "gmail.com": 35,
        "hotmail.co.uk": 20,
        "btinternet.com": 15,
        "yahoo.com": 10,
        "outlook.com": 12,
        "icloud.com": 8,
    },
    "NL": {"gmail.com": 45, "ziggo.nl": 25, "hotmail.com": 15, "outlook.com": 15},
    "US": {"gmail.com": 50, "yahoo.com": 18, "outlook.com": 12, "aol.com": 8, "icloud.com": 12},
}

#: Placeholder e-mails typed by people who do not want to give theirs (or by staff on their behalf).
JUNK_EMAILS: tuple[str, ...] = (
    "test@test.com",
    "noemail@noemail.com",
    "a@a.fr",
    "aucun@aucun.fr",
    "none@none.com",
    "pasdemail@gmail.com",
    "x@x.fr",
)
#: Placeholder names typed when the real one was not given.
JUNK_NAMES: tuple[str, ...] = ("xxx", "unknown", "N/A", "none", "XXX", "Inconnu", "-", "client")
#: Tokens systems write instead of leaving a field empty.
MISSING_TOKENS: tuple[str, ...] = ("N/A", "null", "-", "n/a", "NULL", "none")

#: The retailer the demo data belongs to.
BRAND_NAME = "Atelier Nova"
BRAND_DOMAIN = "ateliernova.fr"
SITE_URL = "https://www.ateliernova.fr"

# --------------------------------------------------------------------------------------------- names

FIRST_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "FR": (
        _split(
            "Marie, Camille, Léa, Manon, Chloé, Emma, Inès, Sarah, Julie, Laura, Sophie, Nathalie, Isabelle, "
            "Sandrine, Céline, Élodie, Aurélie, Hélène, Cécile, Françoise, Anne, Valérie, Christine, Sylvie, "
            "Catherine, Martine, Nicole, Monique, Brigitte, Juliette, Louise, Jeanne, Alice, Lucie, Pauline, "
            "Margaux, Mathilde, Clémence, Éloïse, Gaëlle, Zoé, Anaïs, Noémie, Maëlle, Océane, Léonie, Agnès, "
            "Béatrice, Geneviève, Thérèse, Émilie, Charlotte, Claire, Marion, Justine, Mélanie, Laëtitia, "
            "Marie-Claire, Marie-Christine, Anne-Sophie, Marie-Hélène, Marie-Thérèse, Anne-Laure, "
            "Marie-Pierre, "
            "Marie-Laure, Jeanne-Marie, Rose, Ambre, Jade, Lina, Mia, Romane, Capucine, Apolline, Héloïse, "
            "Solène, Maïwenn, Naïs, Lou, Aïcha, Fatou, Yasmine, Nour, Sofia"
        ),
        _split(
            "Jean, Pierre, Michel, Philippe, Alain, Nicolas, Thomas, Julien, Antoine, Maxime, Lucas, Hugo, "
            "Louis, Gabriel, Raphaël, Arthur, Nathan, Théo, Léo, Mathéo, Clément, Jérôme, Stéphane, "
            "Frédéric, "
            "Sébastien, Olivier, Christophe, Laurent, Éric, François, Benoît, Rémi, Cédric, Grégoire, Joël, "
            "Noël, Loïc, Gaël, Hervé, Thierry, Patrick, Bernard, Jacques, Daniel, Yves, André, René, Xavier, "
            "Jean-Pierre, Jean-Luc, Jean-Marc, Jean-François, Jean-Claude, Jean-Baptiste, Pierre-Alexandre, "
            "Paul-Henri, Jean-Michel, Jean-Louis, Jean-Paul, Marc-Antoine, Paul, Victor, Adam, Enzo, Noah, "
            "Mathis, Baptiste, Valentin, Quentin, Romain, Kévin, Anthony, Mehdi, Karim, Youssef, Mamadou, "
            "Ibrahim, Timothée, Aurélien, Jérémie, Anaël, Côme, Benoît-Joseph"
        ),
    ),
    "BE": (
        _split(
            "Marie, Emma, Louise, Olivia, Elise, Lotte, Julie, Sarah, Laura, Nathalie, Sofie, An, Els, Inge, "
            "Hélène, Chloé, Léa, Amélie, Anne-Marie, Marie-Josée, Lien, Fien, Noor, Camille"
        ),
        _split(
            "Jean, Luc, Marc, Pieter, Jan, Thomas, Lucas, Arthur, Noah, Louis, Wim, Koen, Bart, Geert, Dirk, "
            "Kristof, Jean-Marie, François, Cédric, Sébastien, Frédéric, Olivier, Mathis, Wout"
        ),
    ),
    "CH": (
        _split(
            "Anna, Laura, Sarah, Julia, Léa, Mia, Emma, Ursula, Ruth, Monika, Sandra, Nicole, Céline, Chloé, "
            "Mélanie, Valérie, Maëlle, Noémie, Anne-Catherine, Marie-Josée"
        ),
        _split(
            "Daniel, Peter, Thomas, Martin, Hans, Beat, Urs, Reto, Lukas, Noah, Luca, David, Jean-Marc, "
            "Olivier, Frédéric, Stéphane, Yves, Pascal, Grégory, Jean-Daniel"
        ),
    ),
    "DE": (
        _split(
            "Anna, Lena, Hannah, Lea, Laura, Julia, Sabine, Petra, Ursula, Monika, Birgit, Katrin, Jutta, "
            "Bärbel, Käthe, Anke, Susanne, Andrea, Claudia, Stefanie, Eva-Maria, Anna-Lena, Marie-Luise, "
            "Sophie, Jana, Anna-Maria"
        ),
        _split(
            "Lukas, Jürgen, Jörg, Günter, Sören, Björn, Klaus, Stefan, Andreas, Michael, Thomas, Frank, Uwe, "
            "Matthias, Tobias, Florian, Maximilian, Jonas, Leon, Paul, Felix, Hans-Peter, Karl-Heinz, Jens"
        ),
    ),
    "ES": (
        _split(
            "María, Carmen, Ana, Lucía, Laura, Marta, Sofía, Paula, Elena, Cristina, Isabel, Begoña, Núria, "
            "Inés, Pilar, Rocío, María José, María del Carmen, Ana Belén, Montserrat"
        ),
        _split(
            "José, Antonio, Manuel, Francisco, Javier, David, Jesús, Álvaro, Sergio, Íñigo, Pablo, Daniel, "
            "Alejandro, Carlos, Miguel, Juan Carlos, José Luis, Jordi, Raúl, Andrés"
        ),
    ),
    "IT": (
        _split(
            "Maria, Anna, Giulia, Francesca, Chiara, Sara, Federica, Elisabetta, Valentina, Alessandra, "
            "Martina, "
            "Giorgia, Silvia, Paola, Lucia, Roberta, Anna Maria, Maria Grazia"
        ),
        _split(
            "Giuseppe, Giovanni, Antonio, Mario, Luca, Marco, Francesco, Alessandro, Niccolò, Andrea, "
            "Matteo, "
            "Lorenzo, Davide, Stefano, Roberto, Paolo, Gian Luca, Pier Paolo"
        ),
    ),
    "GB": (
        _split(
            "Olivia, Amelia, Isla, Ava, Emily, Sophie, Grace, Charlotte, Jessica, Sarah, Emma, Lucy, Hannah, "
            "Siobhán, Aoife, Chloe, Mary-Jane, Zoë, Eleanor, Harriet"
        ),
        _split(
            "Oliver, George, Harry, Jack, James, William, Charlie, Thomas, Daniel, David, John, Michael, "
            "Matthew, Seán, Liam, Callum, Rhys, Alistair, Hugh, Edward"
        ),
    ),
    "NL": (
        _split(
            "Sanne, Femke, Anouk, Eline, Lotte, Iris, Ingrid, Emma, Julia, Sophie, Fleur, Anke, Marieke, "
            "Annemarie, Noor, Saskia"
        ),
        _split(
            "Daan, Sem, Lucas, Jan, Pieter, Bram, Thijs, Joost, Ruben, Sander, Martijn, Jeroen, Wouter, "
            "Jan-Willem, Kees, Sjoerd"
        ),
    ),
    "US": (
        _split(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Emily, "
            "Ashley, "
            "Madison, Olivia, Mary-Kate, Chloé, Zoey, Renée"
        ),
        _split(
            "James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, Christopher, Daniel, "
            "Matthew, "
            "Anthony, Andrew, Joshua, Ethan, Tyler, José"
        ),
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "FR": _split(
        "Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, Simon, Michel, "
        "Lefèvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet, Dupont, Lambert, Fontaine, "
        "Rousseau, Vincent, Muller, Lefebvre, Faure, André, Mercier, Blanc, Guérin, Boyer, Garnier, "
        "Chevalier, "
        "François, Legrand, Gauthier, Garcia, Perrin, Robin, Clément, Morin, Nicolas, Henry, Roussel, "
        "Mathieu, "
        "Gautier, Masson, Marchand, Duval, Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier, "
        "Brun, "
        "Blanchard, Giraud, Joly, Rivière, Lucas, Brunet, Gaillard, Barbier, Arnaud, Martinez, Gérard, "
        "Roche, "
        "Renard, Schmitt, Roy, Leroux, Colin, Vidal, Caron, Picard, Roger, Fabre, Aubert, Lemoine, Renaud, "
        "Dumas, Lacroix, Olivier, Philippe, Bourgeois, Pierre, Benoît, Rey, Leclerc, Payet, Rolland, "
        "Leclercq, "
        "Guillaume, Lecomte, Lopez, Jean, Dupuy, Guillot, Hubert, Berger, Carpentier, Sanchez, Dupuis, "
        "Moulin, "
        "Louis, Deschamps, Huet, Vasseur, Perez, Boucher, Fleury, Royer, Klein, Jacquet, Adam, Paris, "
        "Poirier, "
        "Marty, Aubry, Guyot, Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron, Bertin, Bailly, "
        "Hervé, Schneider, Fernandez, Le Gall, Collet, Léger, Bouvier, Julien, Prévost, Millet, Perrot, "
        "Daniel, "
        "Le Roux, Cousin, Germain, Breton, Besson, Langlois, Rémy, Le Goff, Pelletier, Lévêque, Perrier, "
        "Leblanc, Barré, Lebrun, Marchal, Weber, Mallet, Hamon, Boulanger, Jacob, Monnier, Michaud, "
        "Rodriguez, "
        "Guichard, Gillet, Étienne, Grondin, Poulain, Tessier, Chevallier, Collin, Chauvin, Da Silva, "
        "Bouchet, "
        "Lemaître, Bénard, Maréchal, Humbert, Reynaud, Antoine, Hoarau, Perret, Barthélemy, Cordier, Pichon, "
        "Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Carlier, Laporte, Müller, Nguyen, Diallo, Traoré, "
        "Benali, "
        "N'Diaye, Haddad, Dos Santos, Ferreira, de la Fontaine, d'Artagnan, de Villiers, Le Bihan, Le Floch, "
        "du Pont, de Saint-Exupéry, Lefèvre-Dubois, Martin-Dupont, Bernard-Leroy, Costa-Ferreira, "
        "L'Hermitte, "
        "de Montmorency, Le Bras, d'Almeida, Saint-Martin, Bréhéret, Cœurderoy"
    ),
    "BE": _split(
        "Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet, Dubois, "
        "Lambert, Dupont, Van Damme, Vermeulen, Desmet, Martin, Leclercq, Van den Broeck, Van de Velde, "
        "De Backer, Hermans, Michiels, Lemaire, D'Hondt, Vanderlinden, Van der Elst"
    ),
    "CH": _split(
        "Müller, Meier, Schmid, Keller, Weber, Huber, Schneider, Meyer, Steiner, Fischer, Gerber, Brunner, "
        "Baumann, Favre, Rochat, Bonvin, Perrin, Blanc, Zürcher, Frei, Moser, Bühler, de Weck, von Wattenwyl"
    ),
    "DE": _split(
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, "
        "Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hofmann, "
        "Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann, von Berg, von der Heide, "
        "Müller-Lüdenscheidt, "
        "Groß, Weiß, Köhler"
    ),
    "ES": _split(
        "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, "
        "Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Núñez, Romero, García López, Fernández-Vega, "
        "de la Cruz, Sánchez Martín, Ortiz de Zárate"
    ),
    "IT": _split(
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, "
        "Conti, "
        "De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, D'Angelo, Dell'Acqua, Di Stefano, "
        "De Santis, Lo Russo"
    ),
    "GB": _split(
        "Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas, Johnson, Roberts, Robinson, "
        "Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall, O'Brien, O'Connor, McDonald, "
        "MacLeod, "
        "Smith-Jones, Bowes-Lyon, O'Neill, Fitzgerald"
    ),
    "NL": _split(
        "de Jong, Jansen, de Vries, van den Berg, van der Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
        "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, van der Meer, "
        "van 't Hof"
    ),
    "US": _split(
        "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Hernandez, "
        "Lopez, "
        "Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, O'Neil, McCarthy, Nguyen, Kim, Lee-Park"
    ),
}

# --------------------------------------------------------------------------------------------- places


@dataclass(frozen=True)
class City:
    """A real city, its postal codes and how people write its name.

    ``region`` is the French landline region digit (01 Ile-de-France ... 05 South-West); ``zone`` indexes
    ZONES; ``weight`` is roughly the population in thousands.
    """

    country: str
    name: str
    postcodes: tuple[str, ...]
    weight: float
    region: int = 1
    zone: int = 0
    aliases: tuple[str, ...] = ()


def _fr(name: str, postcodes: str, region: int, weight: float, *aliases: str) -> City:
    return City("FR", name, _split(postcodes), weight, region, 0, aliases)


def _range(prefix: str, start: int, stop: int, width: int = 2) -> str:
    return ",".join(f"{prefix}{i:0{width}d}" for i in range(start, stop + 1))


FR_CITIES: tuple[City, ...] = (
    _fr("Paris", _range("750", 1, 20), 1, 2100),
    _fr("Marseille", _range("130", 1, 16), 4, 870),
    _fr("Lyon", _range("6900", 1, 9, 1), 4, 520),
    _fr("Toulouse", "31000,31100,31200,31300,31400,31500", 5, 500),
    _fr("Nice", "06000,06100,06200,06300", 4, 340),
    _fr("Nantes", "44000,44100,44200,44300", 2, 320),
    _fr("Montpellier", "34000,34070,34080,34090", 4, 300),
    _fr("Strasbourg", "67000,67100,67200", 3, 290),
    _fr("Bordeaux", "33000,33100,33200,33300,33800", 5, 260),
    _fr("Lille", "59000,59160,59260,59800", 3, 235),
    _fr("Rennes", "35000,35200,35700", 2, 220),
    _fr("Reims", "51100", 3, 180),
    _fr("Toulon", "83000,83100,83200", 4, 180),
    _fr("Saint-Étienne", "42000,42100", 4, 173, "St-Étienne", "St Etienne"),
    _fr("Le Havre", "76600,76610,76620", 2, 166),
    _fr("Grenoble", "38000,38100", 4, 158),
    _fr("Dijon", "21000", 3, 158),
    _fr("Angers", "49000,49100", 2, 155),
    _fr("Villeurbanne", "69100", 4, 150),
    _fr("Saint-Denis", "93200,93210", 1, 113, "St-Denis"),
    _fr("Nîmes", "30000,30900", 4, 148),
    _fr("Aix-en-Provence", "13090,13100", 4, 145, "Aix en Provence", "Aix"),
    _fr("Clermont-Ferrand", "63000,63100", 4, 147),
    _fr("Le Mans", "72000,72100", 2, 143),
    _fr("Brest", "29200", 2, 139),
    _fr("Tours", "37000,37100,37200", 2, 136),
    _fr("Amiens", "80000,80090", 3, 133),
    _fr("Limoges", "87000,87100", 5, 130),
    _fr("Annecy", "74000", 4, 130),
    _fr("Perpignan", "66000,66100", 4, 120),
    _fr("Boulogne-Billancourt", "92100", 1, 121, "Boulogne Billancourt", "Boulogne"),
    _fr("Metz", "57000,57050", 3, 118),
    _fr("Besançon", "25000", 3, 117),
    _fr("Orléans", "45000,45100", 2, 116),
    _fr("Rouen", "76000,76100", 2, 113),
    _fr("Argenteuil", "95100", 1, 110),
    _fr("Mulhouse", "68100,68200", 3, 107),
    _fr("Montreuil", "93100", 1, 110),
    _fr("Caen", "14000", 2, 106),
    _fr("Nancy", "54000,54100", 3, 104),
    _fr("Roubaix", "59100", 3, 98),
    _fr("Tourcoing", "59200", 3, 98),
    _fr("Nanterre", "92000", 1, 96),
    _fr("Vitry-sur-Seine", "94400", 1, 95),
    _fr("Créteil", "94000", 1, 92),
    _fr("Avignon", "84000", 4, 91),
    _fr("Poitiers", "86000", 5, 89),
    _fr("Aubervilliers", "93300", 1, 88),
    _fr("Dunkerque", "59140,59640", 3, 86),
    _fr("Aulnay-sous-Bois", "93600", 1, 86),
    _fr("Colombes", "92700", 1, 86),
    _fr("Asnières-sur-Seine", "92600", 1, 86, "Asnières"),
    _fr("Versailles", "78000", 1, 85),
    _fr("Courbevoie", "92400", 1, 82),
    _fr("Cherbourg-en-Cotentin", "50100", 2, 79, "Cherbourg"),
    _fr("Rueil-Malmaison", "92500", 1, 78),
    _fr("Pau", "64000", 5, 76),
    _fr("Champigny-sur-Marne", "94500", 1, 77),
    _fr("Béziers", "34500", 4, 78),
    _fr("La Rochelle", "17000", 5, 77),
    _fr("Saint-Maur-des-Fossés", "94100,94210", 1, 75, "St-Maur-des-Fossés"),
    _fr("Antibes", "06600", 4, 73),
    _fr("Cannes", "06400,06150", 4, 74),
    _fr("Calais", "62100", 3, 67),
    _fr("Saint-Nazaire", "44600", 2, 71, "St-Nazaire"),
    _fr("Mérignac", "33700", 5, 71),
    _fr("Ajaccio", "20000,20090", 4, 72),
    _fr("Drancy", "93700", 1, 72),
    _fr("Colmar", "68000", 3, 68),
    _fr("Issy-les-Moulineaux", "92130", 1, 68),
    _fr("Noisy-le-Grand", "93160", 1, 68),
    _fr("Levallois-Perret", "92300", 1, 66),
    _fr("Quimper", "29000", 2, 63),
    _fr("Troyes", "10000", 3, 61),
    _fr("Neuilly-sur-Seine", "92200", 1, 60),
    _fr("Valence", "26000", 4, 64),
    _fr("Villeneuve-d'Ascq", "59650,59491", 3, 62, "Villeneuve d'Ascq"),
    _fr("Antony", "92160", 1, 62),
    _fr("Pessac", "33600", 5, 64),
    _fr("Clichy", "92110", 1, 62),
    _fr("Chambéry", "73000", 4, 60),
    _fr("Lorient", "56100", 2, 57),
    _fr("Niort", "79000", 5, 59),
    _fr("Sarcelles", "95200", 1, 57),
    _fr("Montauban", "82000", 5, 61),
    _fr("Saint-Quentin", "02100", 3, 53, "St-Quentin"),
    _fr("Beauvais", "60000", 3, 56),
    _fr("Vannes", "56000", 2, 54),
    _fr("Cholet", "49300", 2, 54),
    _fr("Laval", "53000", 2, 49),
    _fr("Bayonne", "64100", 5, 52),
    _fr("Fréjus", "83600", 4, 55),
    _fr("Évry-Courcouronnes", "91000", 1, 67, "Evry"),
    _fr("Arles", "13200", 4, 51),
    _fr("Saint-Malo", "35400", 2, 46, "St-Malo"),
    _fr("Bourges", "18000", 2, 64),
    _fr("Chartres", "28000", 2, 38),
    _fr("Belfort", "90000", 3, 46),
    _fr("Évreux", "27000", 2, 47),
    _fr("Blois", "41000", 2, 46),
    _fr("Saint-Brieuc", "22000", 2, 44, "St-Brieuc"),
    _fr("Charleville-Mézières", "08000", 3, 46),
    _fr("Bourg-en-Bresse", "01000", 4, 41),
    _fr("Oyonnax", "01100", 4, 22),
    _fr("Laon", "02000", 3, 24),
    _fr("Soissons", "02200", 3, 28),
    _fr("Moulins", "03000", 4, 19),
    _fr("Montluçon", "03100", 4, 34),
    _fr("Vichy", "03200", 4, 25),
    _fr("Digne-les-Bains", "04000", 4, 16),
    _fr("Manosque", "04100", 4, 22),
    _fr("Gap", "05000", 4, 41),
    _fr("Briançon", "05100", 4, 11),
    _fr("Menton", "06500", 4, 30),
    _fr("Grasse", "06130", 4, 50),
    _fr("Cagnes-sur-Mer", "06800", 4, 52),
    _fr("Le Cannet", "06110", 4, 42),
    _fr("Privas", "07000", 4, 8),
    _fr("Annonay", "07100", 4, 16),
    _fr("Aubenas", "07200", 4, 12),
    _fr("Sedan", "08200", 3, 16),
    _fr("Foix", "09000", 5, 10),
    _fr("Pamiers", "09100", 5, 15),
    _fr("Châteauroux", "36000", 2, 43),
    _fr("Angoulême", "16000", 5, 41),
    _fr("Périgueux", "24000", 5, 30),
    _fr("Agen", "47000", 5, 32),
    _fr("Tarbes", "65000", 5, 42),
    _fr("Albi", "81000", 5, 49),
    _fr("Carcassonne", "11000", 4, 46),
    _fr("Narbonne", "11100", 4, 55),
    _fr("Sète", "34200", 4, 44),
    _fr("Montélimar", "26200", 4, 40),
    _fr("Vienne", "38200", 4, 30),
    _fr("Saint-Germain-en-Laye", "78100", 1, 45, "St-Germain-en-Laye", "St Germain en Laye"),
    _fr("Meaux", "77100", 1, 55),
    _fr("Melun", "77000", 1, 41),
    _fr("Cergy", "95000", 1, 65),
    _fr("Pontoise", "95300", 1, 32),
    _fr("Épinal", "88000", 3, 32),
    _fr("Thionville", "57100", 3, 42),
    _fr("Haguenau", "67500", 3, 35),
    _fr("L'Haÿ-les-Roses", "94240", 1, 31, "L'Hay-les-Roses", "L Hay les Roses"),
    _fr("Le Puy-en-Velay", "43000", 4, 19),
    _fr("Aurillac", "15000", 4, 26),
    _fr("Rodez", "12000", 5, 24),
    _fr("Mont-de-Marsan", "40000", 5, 30),
    _fr("Biarritz", "64200", 5, 25),
    _fr("Saint-Raphaël", "83700", 4, 35, "St-Raphaël"),
    _fr("Hyères", "83400", 4, 56),
    _fr("Martigues", "13500", 4, 48),
    _fr("Aubagne", "13400", 4, 47),
    _fr("La Seyne-sur-Mer", "83500", 4, 62),
    _fr("Saint-Herblain", "44800", 2, 48, "St-Herblain"),
    _fr("Rezé", "44400", 2, 42),
    _fr("Vénissieux", "69200", 4, 67),
    _fr("Caluire-et-Cuire", "69300", 4, 43),
    _fr("Échirolles", "38130", 4, 36),
    _fr("Puteaux", "92800", 1, 45),
    _fr("Ivry-sur-Seine", "94200", 1, 63),
    _fr("Marcq-en-Barœul", "59700", 3, 39, "Marcq-en-Baroeul", "Marcq en Baroeul"),
    _fr("Saint-Ouen-sur-Seine", "93400", 1, 51, "St-Ouen"),
    _fr("Châlons-en-Champagne", "51000", 3, 44),
    _fr("Compiègne", "60200", 3, 40),
    _fr("Arras", "62000", 3, 41),
    _fr("Douai", "59500", 3, 40),
    _fr("Valenciennes", "59300", 3, 43),
    _fr("Boulogne-sur-Mer", "62200", 3, 40),
    _fr("Lens", "62300", 3, 31),
)

OTHER_CITIES: tuple[City, ...] = (
    City("BE", "Bruxelles", _split("1000,1020,1120,1130"), 180, 0, 0, ("Brussel", "Brussels", "BXL")),
    City("BE", "Ixelles", _split("1050"), 86, 0, 0, ("Elsene",)),
    City("BE", "Uccle", _split("1180"), 83, 0, 0, ("Ukkel",)),
    City("BE", "Schaerbeek", _split("1030"), 130, 0, 0, ("Schaarbeek",)),
    City("BE", "Anderlecht", _split("1070"), 120),
    City("BE", "Woluwe-Saint-Lambert", _split("1200"), 57, 0, 0, ("Sint-Lambrechts-Woluwe",)),
    City("BE", "Liège", _split("4000,4020,4030"), 197, 0, 0, ("Luik", "Liege")),
    City("BE", "Namur", _split("5000,5100"), 111),
    City("BE", "Charleroi", _split("6000,6001"), 202),
    City("BE", "Mons", _split("7000"), 95, 0, 0, ("Bergen",)),
    City("BE", "Antwerpen", _split("2000,2018,2060"), 530, 0, 0, ("Anvers", "Antwerp")),
    City("BE", "Gent", _split("9000,9050"), 265, 0, 0, ("Gand", "Ghent")),
    City("BE", "Brugge", _split("8000"), 118, 0, 0, ("Bruges",)),
    City("BE", "Leuven", _split("3000"), 102, 0, 0, ("Louvain",)),
    City("BE", "Louvain-la-Neuve", _split("1348"), 30, 0, 0, ("Louvain la Neuve", "LLN")),
    City("BE", "Tournai", _split("7500"), 69, 0, 0, ("Doornik",)),
    City(
        "CH",
        "Genève",
        _split("1201,1202,1203,1204,1205,1206,1207,1208,1209"),
        203,
        0,
        0,
        ("Geneve", "Genf", "Geneva"),
    ),
    City("CH", "Lausanne", _split("1003,1004,1005,1006,1007"), 140),
    City("CH", "Zürich", _split("8001,8002,8003,8004,8005,8006,8008"), 420, 0, 0, ("Zurich", "Zuerich")),
    City("CH", "Bern", _split("3011,3012,3013"), 134, 0, 0, ("Berne",)),
    City("CH", "Basel", _split("4051,4052,4053"), 173, 0, 0, ("Bâle", "Bale")),
    City("CH", "Fribourg", _split("1700"), 38, 0, 0, ("Freiburg",)),
    City("CH", "Neuchâtel", _split("2000"), 44, 0, 0, ("Neuchatel",)),
    City("CH", "Sion", _split("1950"), 34, 0, 0, ("Sitten",)),
    City("CH", "Lugano", _split("6900"), 63),
    City("CH", "Montreux", _split("1820"), 26),
    City("DE", "Berlin", _split("10115,10117,10119,10178,10243,10435,10827"), 3600),
    City("DE", "Hamburg", _split("20095,20099,22767"), 1850),
    City("DE", "München", _split("80331,80333,80469,81667"), 1500, 0, 0, ("Muenchen", "Munich")),
    City("DE", "Köln", _split("50667,50668,50672"), 1080, 0, 0, ("Koeln", "Cologne")),
    City("DE", "Frankfurt am Main", _split("60311,60313,60322"), 760, 0, 0, ("Frankfurt", "Francfort")),
    City("DE", "Stuttgart", _split("70173,70174"), 630),
    City("DE", "Düsseldorf", _split("40213,40215"), 620, 0, 0, ("Duesseldorf",)),
    City("DE", "Leipzig", _split("04109,04103,04105"), 600),
    City("DE", "Dresden", _split("01067,01069"), 560),
    City("DE", "Hannover", _split("30159,30161"), 535),
    City("DE", "Nürnberg", _split("90402,90403"), 520, 0, 0, ("Nuernberg", "Nuremberg")),
    City("DE", "Freiburg im Breisgau", _split("79098"), 230, 0, 0, ("Freiburg",)),
    City("DE", "Saarbrücken", _split("66111"), 180, 0, 0, ("Sarrebruck",)),
    City("ES", "Madrid", _split(_range("280", 1, 15, 2)), 3300),
    City("ES", "Barcelona", _split(_range("080", 1, 15, 2)), 1600, 0, 0, ("Barcelone",)),
    City("ES", "Valencia", _split("46001,46002,46003"), 790, 0, 0, ("València", "Valence")),
    City("ES", "Sevilla", _split("41001,41002,41003"), 690, 0, 0, ("Séville",)),
    City("ES", "Málaga", _split("29001,29002"), 580, 0, 0, ("Malaga",)),
    City("ES", "Bilbao", _split("48001,48002"), 345),
    City("ES", "Zaragoza", _split("50001,50002"), 680, 0, 0, ("Saragosse",)),
    City("ES", "San Sebastián", _split("20001,20002"), 187, 0, 0, ("Donostia", "Saint-Sébastien")),
    City("ES", "Alicante", _split("03001,03002"), 337, 0, 0, ("Alacant",)),
    City("IT", "Roma", _split("00184,00185,00186,00187,00192,00193,00197,00198"), 2800, 0, 0, ("Rome",)),
    City("IT", "Milano", _split("20121,20122,20123,20135,20144"), 1400, 0, 0, ("Milan",)),
    City("IT", "Napoli", _split("80121,80132"), 910, 0, 0, ("Naples",)),
    City("IT", "Torino", _split("10121,10123"), 850, 0, 0, ("Turin",)),
    City("IT", "Firenze", _split("50122,50123"), 360, 0, 0, ("Florence",)),
    City("IT", "Bologna", _split("40121,40123"), 390, 0, 0, ("Bologne",)),
    City("IT", "Venezia", _split("30121,30122"), 255, 0, 0, ("Venise",)),
    City("IT", "Genova", _split("16121,16123"), 560, 0, 0, ("Gênes",)),
    City("GB", "London", _split("SW1A,SW3,SW7,W1D,W8,NW1,N1,E1,EC1A,SE1,WC2N"), 8900, 0, 1, ("Londres",)),
    City("GB", "Manchester", _split("M1,M2,M4,M20"), 550, 0, 1),
    City("GB", "Birmingham", _split("B1,B2,B15"), 1140, 0, 1),
    City("GB", "Edinburgh", _split("EH1,EH3"), 520, 0, 1, ("Édimbourg",)),
    City("GB", "Glasgow", _split("G1,G2,G12"), 630, 0, 1),
    City("GB", "Bristol", _split("BS1,BS8"), 470, 0, 1),
    City("GB", "Leeds", _split("LS1,LS6"), 790, 0, 1),
    City("GB", "Oxford", _split("OX1,OX2"), 150, 0, 1),
    City("GB", "Brighton", _split("BN1,BN2"), 230, 0, 1),
    City("NL", "Amsterdam", _split("1011,1012,1015,1016,1017,1052,1071,1072,1091"), 870),
    City("NL", "Rotterdam", _split("3011,3012,3014,3021"), 650),
    City("NL", "Den Haag", _split("2511,2513,2514"), 545, 0, 0, ("'s-Gravenhage", "The Hague", "La Haye")),
    City("NL", "Utrecht", _split("3511,3512"), 360),
    City("NL", "Eindhoven", _split("5611,5612"), 235),
    City("NL", "Groningen", _split("9711,9712"), 232),
    City("NL", "Haarlem", _split("2011"), 162),
    City(
        "US",
        "New York",
        _split("10001,10011,10016,10019,10023,10128"),
        8300,
        0,
        2,
        ("New York, NY", "NYC", "New York City"),
    ),
    City("US", "Brooklyn", _split("11201,11215"), 2600, 0, 2, ("Brooklyn, NY",)),
    City("US", "Boston", _split("02108,02115,02116"), 690, 0, 2, ("Boston, MA",)),
    City("US", "Miami", _split("33101,33130,33139"), 450, 0, 2, ("Miami, FL",)),
    City("US", "Washington", _split("20001,20009"), 690, 0, 2, ("Washington, DC", "Washington D.C.")),
    City("US", "Chicago", _split("60601,60614,60657"), 2700, 0, 3, ("Chicago, IL",)),
    City("US", "Austin", _split("78701,78704"), 960, 0, 3, ("Austin, TX",)),
    City("US", "Los Angeles", _split("90012,90024,90036"), 3900, 0, 4, ("Los Angeles, CA", "LA")),
    City("US", "San Francisco", _split("94102,94110,94114"), 870, 0, 4, ("San Francisco, CA", "SF")),
    City("US", "Seattle", _split("98101,98103,98109"), 740, 0, 4, ("Seattle, WA",)),
)

CITIES: tuple[City, ...] = FR_CITIES + OTHER_CITIES

# --------------------------------------------------------------------------------------------- streets


@dataclass(frozen=True)
class StreetType:
    """A street type as written in full and abbreviated, and whether it precedes or follows the name."""

    full: str
    abbreviations: tuple[str, ...]
    #: None: the type precedes the name (rue de la Paix); "" glued after it (Hauptstraße, Kerkstraat);
    #: " " after it with a space (High Street, Main St).
    suffix: str | None = None


def _types(spec: str, suffix: str | None = None) -> tuple[StreetType, ...]:
    """'Rue:r.|R.;Avenue:av.|Av.' -> street types."""
    result = []
    for item in spec.split(";"):
        full, _, abbreviations = item.partition(":")
        result.append(StreetType(full.strip(), tuple(a for a in abbreviations.split("|") if a), suffix))
    return tuple(result)


@dataclass(frozen=True)
class StreetStyle:
    """How a country names its streets and where the house number goes."""

    types: tuple[StreetType, ...]
    type_weights: tuple[float, ...]
    names: tuple[str, ...]
    number_first: bool  # "12 rue de la Paix" (FR/UK/US) vs "Hauptstraße 12" (DE/BE/CH/ES/IT/NL)


STREET_STYLES: dict[str, StreetStyle] = {
    "FR": StreetStyle(
        _types(
            "rue:r.|R.|Rue;avenue:av.|Av.|ave;boulevard:bd|Bd|boul.;place:pl.|Pl.;allée:all.|allee;"
            "chemin:ch.|chem.;impasse:imp.|Imp.;route:rte|Rte;quai:q.|Quai;cours:crs|Cours"
        ),
        (50, 15, 9, 5, 5, 5, 4, 3, 2, 2),
        _split(
            "de la République, Victor Hugo, Jean Jaurès, du Général de Gaulle, Pasteur, des Lilas, "
            "de la Gare, "
            "Nationale, du Moulin, des Écoles, Gambetta, Foch, de Verdun, Voltaire, Saint-Michel, "
            "de l'Église, "
            "du Château, de la Paix, des Acacias, Émile Zola, de la Liberté, Carnot, des Tilleuls, "
            "Jules Ferry, "
            "Anatole France, du Stade, de la Mairie, des Roses, Lamartine, Alsace-Lorraine, de Paris, "
            "du 8 Mai 1945, de la Fontaine, des Peupliers, Molière, Sainte-Catherine, du Maréchal Leclerc, "
            "Jean Moulin, de Bretagne, des Champs, Paul Bert, Aristide Briand, d'Alésia, de Belleville, "
            "du Faubourg Saint-Antoine, de la Forêt, des Vignes, du Port, Clemenceau, Danton"
        ),
        True,
    ),
    "BE": StreetStyle(
        _types("Rue:r.|R.;Avenue:av.|Av.;Chaussée:chée|Chée;Boulevard:bd|Bd;Place:pl.|Pl."),
        (55, 25, 8, 7, 5),
        _split(
            "de la Loi, Neuve, du Midi, de Namur, Louise, de Flandre, Royale, du Trône, de Tervueren, "
            "de Waterloo, Saint-Lazare, des Bouchers, Haute, Blaes, de la Station"
        ),
        False,
    ),
    "CH": StreetStyle(
        _types("Rue:r.|R.;Avenue:av.|Av.;Chemin:ch.|Ch.;Route:rte|Rte;Quai:q.|Quai"),
        (45, 25, 15, 10, 5),
        _split(
            "du Rhône, de Lausanne, du Marché, de la Servette, de Carouge, du Mont-Blanc, de Champel, "
            "des Alpes, de Genève, du Lac, de la Gare, Centrale"
        ),
        False,
    ),
    "DE": StreetStyle(
        _types("straße:str.|strasse|Str.;weg:wg.;allee:al.;platz:pl.|Pl.;gasse:g.", suffix=""),
        (60, 15, 10, 10, 5),
        _split(
            "Haupt, Bahnhof, Schiller, Goethe, Garten, Kirch, Berliner, Linden, Mozart, Ring, Schul, Berg, "
            "Wald, Dorf, Friedrich, Rosen, Mühlen, Sonnen, Kaiser, Park"
        ),
        False,
    ),
    "ES": StreetStyle(
        _types("Calle:C/|c/|Cl.;Avenida:Avda.|Av.;Plaza:Pza.|Pl.;Paseo:Pº|P.º"),
        (60, 25, 10, 5),
        _split(
            "Mayor, de Alcalá, Gran Vía, de la Constitución, Real, del Carmen, de Serrano, de Goya, "
            "de la Castellana, San Juan, Nueva, del Sol"
        ),
        False,
    ),
    "IT": StreetStyle(
        _types("Via:V.|v.;Corso:C.so|c.so;Piazza:P.zza|P.za;Viale:V.le|v.le"),
        (65, 15, 10, 10),
        _split(
            "Roma, Garibaldi, Mazzini, Cavour, Dante, Vittorio Emanuele II, Verdi, Marconi, XX Settembre, "
            "Nazionale, della Repubblica, San Francesco"
        ),
        False,
    ),
    "GB": StreetStyle(
        _types("Street:St|St.;Road:Rd|Rd.;Lane:Ln;Avenue:Ave|Av.;Close:Cl;Gardens:Gdns", suffix=" "),
        (35, 35, 10, 10, 5, 5),
        _split("High, Station, Church, Park, Victoria, Green, Manor, Queen's, King's, Mill, York, Albert"),
        True,
    ),
    "NL": StreetStyle(
        _types("straat:str.|Str.;weg:wg;laan:ln;plein:pl.;gracht:gr.", suffix=""),
        (55, 15, 15, 8, 7),
        _split(
            "Kerk, Dorps, School, Molen, Hoofd, Stations, Julianna, Beatrix, Wilhelmina, Prinsen, Keizers, "
            "Heren"
        ),
        False,
    ),
    "US": StreetStyle(
        _types("Street:St|St.;Avenue:Ave|Ave.;Boulevard:Blvd|Blvd.;Road:Rd;Drive:Dr|Dr.;Lane:Ln", suffix=" "),
        (35, 30, 10, 10, 10, 5),
        _split(
            "Main, Oak, Maple, Washington, Lake, Park, Elm, Pine, Cedar, Madison, Lincoln, 2nd, 5th, Sunset"
        ),
        True,
    ),
}

# --------------------------------------------------------------------------------------------- stores


@dataclass(frozen=True)
class Store:
    """A physical store; ``city`` must be a CITIES name, ``regions`` the French regions it serves."""

    store_id: str
    name: str
    city: str
    regions: tuple[int, ...]
    weight: float


STORES: tuple[Store, ...] = (
    Store("ST001", "Atelier Nova Paris Rivoli", "Paris", (1,), 10),
    Store("ST002", "Atelier Nova Paris Opéra", "Paris", (1,), 9),
    Store("ST003", "Atelier Nova Paris Montparnasse", "Paris", (1,), 7),
    Store("ST004", "Atelier Nova La Défense", "Puteaux", (1,), 7),
    Store("ST005", "Atelier Nova Boulogne-Billancourt", "Boulogne-Billancourt", (1,), 4),
    Store("ST006", "Atelier Nova Lyon Part-Dieu", "Lyon", (4,), 8),
    Store("ST007", "Atelier Nova Marseille Terrasses du Port", "Marseille", (4,), 6),
    Store("ST008", "Atelier Nova Nice Masséna", "Nice", (4,), 4),
    Store("ST009", "Atelier Nova Montpellier Polygone", "Montpellier", (4,), 4),
    Store("ST010", "Atelier Nova Grenoble Victor Hugo", "Grenoble", (4,), 3),
    Store("ST011", "Atelier Nova Aix-en-Provence Allées Provençales", "Aix-en-Provence", (4,), 3),
    Store("ST012", "Atelier Nova Saint-Étienne Centre Deux", "Saint-Étienne", (4,), 2),
    Store("ST013", "Atelier Nova Bordeaux Sainte-Catherine", "Bordeaux", (5,), 6),
    Store("ST014", "Atelier Nova Toulouse Capitole", "Toulouse", (5,), 6),
    Store("ST015", "Atelier Nova Lille Euralille", "Lille", (3,), 6),
    Store("ST016", "Atelier Nova Strasbourg Kléber", "Strasbourg", (3,), 4),
    Store("ST017", "Atelier Nova Nantes Atlantis", "Saint-Herblain", (2,), 5),
    Store("ST018", "Atelier Nova Rennes Colombia", "Rennes", (2,), 4),
    Store("ST019", "Atelier Nova Bruxelles Toison d'Or", "Bruxelles", (), 5),
    Store("ST020", "Atelier Nova Genève Rue du Marché", "Genève", (), 4),
)

# --------------------------------------------------------------------------------------------- catalogue

#: (category, subcategory, noun, min price, max price, brands)
CATALOGUE_SPECS: tuple[tuple[str, str, str, int, int, tuple[str, ...]], ...] = (
    ("Femme", "Robes", "Robe", 35, 140, ("Atelier Nova", "Édith", "Cœur de Lin")),
    ("Femme", "Tops & Chemisiers", "Chemisier", 25, 80, ("Atelier Nova", "Édith")),
    ("Femme", "Pantalons", "Pantalon", 40, 110, ("Atelier Nova", "Boréal")),
    ("Femme", "Vestes & Manteaux", "Manteau", 90, 290, ("Boréal", "Atelier Nova")),
    ("Femme", "Chaussures", "Bottines", 60, 180, ("Sable d'Or", "Zéphyr")),
    ("Homme", "Chemises", "Chemise", 35, 95, ("Atelier Nova", "Boréal")),
    ("Homme", "T-shirts & Polos", "Polo", 20, 60, ("Atelier Nova", "Alpina Sport")),
    ("Homme", "Pantalons", "Chino", 45, 110, ("Boréal", "Atelier Nova")),
    ("Homme", "Vestes & Manteaux", "Veste", 90, 260, ("Boréal",)),
    ("Homme", "Chaussures", "Derbies", 70, 190, ("Sable d'Or",)),
    ("Enfant", "Bébé", "Body", 10, 30, ("Petit Nova", "Kiwi & Co")),
    ("Enfant", "Fille", "Robe fille", 18, 45, ("Petit Nova", "Kiwi & Co")),
    ("Enfant", "Garçon", "Sweat garçon", 18, 45, ("Petit Nova", "Kiwi & Co")),
    ("Maison", "Linge de lit", "Parure de lit", 45, 160, ("Cœur de Lin", "Maison Nova")),
    ("Maison", "Décoration", "Vase", 15, 70, ("Maison Nova", "Terre d'Ocre")),
    ("Maison", "Cuisine", "Lot de bols", 12, 50, ("Terre d'Ocre", "Maison Nova")),
    ("Maison", "Bougies & Parfums", "Bougie parfumée", 12, 45, ("Maison Nova",)),
    ("Beauté", "Soins visage", "Crème hydratante", 15, 65, ("Pure Skin", "Éclat")),
    ("Beauté", "Parfums", "Eau de parfum", 40, 120, ("Éclat",)),
    ("Beauté", "Maquillage", "Rouge à lèvres", 12, 35, ("Éclat", "Pure Skin")),
    ("Sport", "Running", "Chaussures de running", 70, 160, ("Alpina Sport",)),
    ("Sport", "Yoga", "Legging de yoga", 25, 70, ("Alpina Sport", "Zéphyr")),
    ("Sport", "Randonnée", "Veste imperméable", 80, 220, ("Alpina Sport", "Boréal")),
    ("Accessoires", "Sacs", "Sac cabas", 35, 190, ("Sable d'Or", "Atelier Nova")),
    ("Accessoires", "Bijoux", "Boucles d'oreilles", 15, 90, ("Atelier Nova", "Édith")),
    ("Accessoires", "Écharpes & Foulards", "Foulard", 20, 65, ("Cœur de Lin", "Atelier Nova")),
    ("Accessoires", "Lunettes", "Lunettes de soleil", 30, 140, ("Zéphyr",)),
)
PRODUCT_QUALIFIERS: tuple[str, ...] = _split(
    "en lin, en coton bio, en laine mérinos, fluide, ajusté, oversize, à rayures, imprimé fleuri, "
    "en velours côtelé, en cuir, classique, léger, matelassé, en maille, brodé, essentiel"
)
PRODUCT_COLOURS: tuple[str, ...] = _split(
    "Bleu marine, Écru, Noir, Blanc, Terracotta, Vert sauge, Camel, Gris chiné, Rose poudré, Bordeaux, "
    "Jaune moutarde, Kaki, Beige"
)

# --------------------------------------------------------------------------------------------- web

#: (path, title, kind) of site pages; kind drives which events land there.
SITE_PAGES: tuple[tuple[str, str], ...] = (
    ("/", "Atelier Nova — Mode et maison"),
    ("/femme", "Femme | Atelier Nova"),
    ("/homme", "Homme | Atelier Nova"),
    ("/enfant", "Enfant | Atelier Nova"),
    ("/maison", "Maison & Déco | Atelier Nova"),
    ("/beaute", "Beauté | Atelier Nova"),
    ("/sport", "Sport | Atelier Nova"),
    ("/accessoires", "Accessoires | Atelier Nova"),
    ("/nouveautes", "Nouveautés | Atelier Nova"),
    ("/soldes", "Soldes | Atelier Nova"),
    ("/magasins", "Nos magasins | Atelier Nova"),
    ("/blog/tendances-automne", "Les tendances de l'automne | Le Journal Atelier Nova"),
    ("/blog/entretenir-le-lin", "Bien entretenir le lin | Le Journal Atelier Nova"),
    ("/aide/livraison", "Livraison et retours | Atelier Nova"),
)
#: Extra query strings browsing adds to listing pages.
LISTING_QUERIES: tuple[str, ...] = (
    "?page=2",
    "?sort=price_asc",
    "?color=bleu",
    "?size=M",
    "?page=3&sort=new",
)

#: (utm_source, utm_medium, ads channel ("" when not paid), referrer, share of tagged sessions)
TRAFFIC_SOURCES: tuple[tuple[str, str, str, str, float], ...] = (
    ("google", "cpc", "google_ads", "https://www.google.com/", 34),
    ("facebook", "paid_social", "meta", "https://l.facebook.com/", 18),
    ("instagram", "paid_social", "meta", "https://l.instagram.com/", 8),
    ("newsletter", "email", "", "", 20),
    ("tiktok", "paid_social", "tiktok", "https://www.tiktok.com/", 8),
    ("linkedin", "paid_social", "linkedin", "https://www.linkedin.com/", 3),
    ("bing", "cpc", "microsoft_ads", "https://www.bing.com/", 4),
    ("affiliate", "affiliate", "", "https://www.ma-reduc.com/", 5),
)
#: Referrers of untagged landings ("" = direct).
ORGANIC_REFERRERS: tuple[str, ...] = (
    "",
    "",
    "",
    "https://www.google.com/",
    "https://www.google.fr/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://www.qwant.com/",
    "https://www.pinterest.fr/",
)

#: Evergreen campaigns running over the whole period: (ads channel, campaign name, mean daily spend in EUR).
AD_CAMPAIGNS: tuple[tuple[str, str, float], ...] = (
    ("google_ads", "FR_Search_Brand", 120),
    ("google_ads", "FR_Search_Generic_Mode", 260),
    ("google_ads", "FR_PMax_Maison", 180),
    ("google_ads", "BE_Search_Brand", 25),
    ("google_ads", "CH_Search_Brand", 15),
    ("meta", "FR_Prospecting_Femme", 210),
    ("meta", "FR_Retargeting_DPA", 140),
    ("meta", "FR_Prospecting_Maison", 90),
    ("meta", "BE_Prospecting", 30),
    ("tiktok", "FR_TikTok_Awareness", 80),
    ("tiktok", "FR_TikTok_Soldes", 60),
    ("linkedin", "FR_B2B_Cartes_Cadeaux", 35),
    ("microsoft_ads", "FR_Bing_Brand", 20),
    ("microsoft_ads", "FR_Bing_Generic", 25),
)
#: Seasonal campaigns (channel, name template with {year}, month, first day, last day, daily budget).
SEASONAL_CAMPAIGNS: tuple[tuple[str, str, int, int, int, float], ...] = (
    ("google_ads", "FR_Soldes_Hiver_{year}", 1, 8, 31, 300),
    ("meta", "FR_Soldes_Hiver_{year}", 1, 8, 31, 250),
    ("meta", "FR_Fete_des_Meres_{year}", 5, 10, 31, 150),
    ("google_ads", "FR_Soldes_Ete_{year}", 6, 25, 30, 300),
    ("tiktok", "FR_Soldes_Ete_{year}", 7, 1, 31, 120),
    ("google_ads", "FR_Black_Friday_{year}", 11, 15, 30, 450),
    ("meta", "FR_Black_Friday_{year}", 11, 15, 30, 380),
    ("meta", "FR_Noel_{year}", 12, 1, 24, 320),
)
NEWSLETTER_CAMPAIGNS: tuple[str, ...] = _split(
    "nl_nouveautes, nl_soldes, nl_black_friday, nl_noel, nl_fete_des_meres, nl_relance_panier, nl_bienvenue"
)

SUPPORT_SUBJECTS: tuple[str, ...] = (
    "Où est ma commande ?",
    "Retour d'un article",
    "Demande de remboursement",
    "Article reçu endommagé",
    "Problème de taille",
    "Modifier mon adresse de livraison",
    "Carte fidélité non reconnue",
    "Points fidélité manquants",
    "Question sur un produit",
    "Code promo non appliqué",
    "Supprimer mon compte",
    "Désinscription newsletter",
    "Where is my order?",
    "Wrong item received",
    "Facture",
    "Problème de paiement",
)
