"""Step 2d, authority tables: the EU country and eu-programme tables and NUTS 2021, read where the settings say.

The tables are public standards the graph points at; they are read from the reference data (never copied into
the repository) so that a code is accepted only when its publisher lists it: Kosovo is ``XKX`` because the EU
country table says so, and ``XXX`` or ``FRZ9`` are refused with the file and entry that use them.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

import pycountry

from clustergraph.curation import Curation, Organisation, Programme
from clustergraph.errors import NotFound
from clustergraph.records import Guidebook
from clustergraph.settings import Settings

logger = logging.getLogger(__name__)

# Eurostat's NUTS country codes are ISO 3166-1 alpha-2 except these two.
NUTS_COUNTRY_EXCEPTIONS = {"GR": "EL", "GB": "UK"}


@dataclass(frozen=True)
class NutsRegion:
    """One row of the NUTS 2021 table: its country (Eurostat's two letters), name and parent."""

    code: str
    country: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class AuthorityTables:
    """Code -> English label of the EU country and eu-programme tables, and the NUTS 2021 regions.

    ``checked`` is false when the tables were not found and stand-ins were made from what the project has
    without them (see :func:`stand_in_tables`): codes are then not checked against their publishers' lists.
    """

    countries: dict[str, str]
    programmes: dict[str, str]
    nuts: dict[str, NutsRegion]
    checked: bool = True

    def country(self, code: str) -> str | None:
        """The EU country table code for a curated or printed code, or None when the table does not list it.

        An ISO 3166-1 alpha-2 code is mapped to its alpha-3, which is what the table uses; a three-letter
        code is taken as a code of the table itself (``XKX``, Kosovo, has no ISO code).

        >>> tables = AuthorityTables({"ITA": "Italy", "XKX": "Kosovo"}, {}, {})
        >>> tables.country("IT"), tables.country("XKX"), tables.country("XXX"), tables.country("QQ")
        ('ITA', 'XKX', None, None)
        """
        found = alpha3(code)
        return found if found in self.countries else None


def alpha3(code: str) -> str | None:
    """The three-letter code the EU country table would use for ``code``: an ISO alpha-2 code's alpha-3, or a
    three-letter code as it is; None for an unknown alpha-2 code.

    >>> alpha3("GR"), alpha3("XKX"), alpha3("QQ")
    ('GRC', 'XKX', None)
    """
    if len(code) == 3:
        return code
    country = pycountry.countries.get(alpha_2=code)
    return str(country.alpha_3) if country is not None else None


def alpha2(alpha3: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of an alpha-3 code, or None (``XKX`` has none).

    >>> alpha2("GRC"), alpha2("XKX")
    ('GR', None)
    """
    country = pycountry.countries.get(alpha_3=alpha3)
    return str(country.alpha_2) if country is not None else None


def nuts_country(alpha3: str) -> str | None:
    """Eurostat's two-letter NUTS country code for an EU country table code (Greece is ``EL``).

    >>> nuts_country("GRC"), nuts_country("ITA")
    ('EL', 'IT')
    """
    code = alpha2(alpha3)
    return NUTS_COUNTRY_EXCEPTIONS.get(code, code) if code else None


def load_authority_tables(settings: Settings, curation: Curation | None = None) -> AuthorityTables:
    """Read ``country.csv`` and ``eu-programme.csv`` (columns ``code``, ``label_en``) and the NUTS 2021 table.

    With ``curation`` given, a machine without the reference data gets :func:`stand_in_tables` (and a warning)
    instead of an error, so the graph can be built anywhere; the build then says its codes were not checked.

    Raises
    ------
    NotFound
        If a table is missing and no ``curation`` is given; the message names the setting that says where.
    """
    directory = settings.path(settings.eu_vocabularies_dir)
    nuts_file = settings.path(settings.nuts_file)
    try:
        countries = _labels(directory / "country.csv", "CLUSTERGRAPH_EU_VOCABULARIES_DIR")
        programmes = _labels(directory / "eu-programme.csv", "CLUSTERGRAPH_EU_VOCABULARIES_DIR")
        nuts = {row["code"]: NutsRegion(row["code"], row["country"], row["name_latn"], row["parent"] or None)
                for row in _rows(nuts_file, "CLUSTERGRAPH_NUTS_FILE")}
    except NotFound as missing:
        if curation is None:
            raise
        logger.info("%s; country, programme and NUTS codes are taken unchecked from ISO 3166 (pycountry) "
                    "and the curation (the build says so in its summary)", missing)
        return stand_in_tables(curation)
    return AuthorityTables(countries, programmes, nuts)


def stand_in_tables(curation: Curation) -> AuthorityTables:
    """Tables made without the reference data: ISO 3166 countries (pycountry), the programme codes and the
    NUTS regions the curation records (``regions.yaml`` is an extract of the NUTS table). A code neither lists
    (Kosovo's ``XKX``) gets no label; nothing is checked against the publishers' own lists."""
    countries = {str(country.alpha_3): str(country.name) for country in pycountry.countries}
    programmes = {code: programme.label or programme.name for programme in curation.programmes.values()
                  for code in programme.eu_programme}
    nuts = {region.code: NutsRegion(region.code, region.code[:2], region.name, region.parent)
            for region in curation.regions.values()}
    return AuthorityTables(countries, programmes, nuts, checked=False)


def _rows(path: Path, setting: str) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        raise NotFound(f"authority table not found: {path} (set {setting})") from exc


def _labels(path: Path, setting: str) -> dict[str, str]:
    return {row["code"]: row["label_en"] for row in _rows(path, setting)}


def table_problems(curation: Curation, guidebook: Guidebook, tables: AuthorityTables) -> list[str]:
    """Every code of the curation or the printed text that its authority table does not list, and every
    organisation whose NUTS region lies outside its country; each problem names its file and entry."""
    problems: list[str] = []
    located: list[Organisation | Programme] = [*curation.organisations.values(), *curation.programmes.values()]
    for entity in located:
        if entity.country and tables.country(entity.country) is None:
            problems.append(f"{entity.where}: country '{entity.country}' is not in the EU country table")
    for programme in curation.programmes.values():
        problems += [f"{programme.where}: eu_programme '{code}' is not in the EU eu-programme table"
                     for code in programme.eu_programme if code not in tables.programmes]
    for printed in guidebook.practices:
        if printed.country_code and tables.country(printed.country_code) is None:
            problems.append(f"{printed.section_id} (line {printed.first_line}): printed country "
                            f"'{printed.country_printed}' is not in the EU country table")
    for code in curation.regions:
        if code not in tables.nuts:
            problems.append(f"regions.yaml: {code} is not a NUTS 2021 code")
    for organisation in curation.organisations.values():
        country = tables.country(organisation.country) if organisation.country else None
        region = tables.nuts.get(organisation.region or "")
        if country and region and region.country != nuts_country(country):
            problems.append(f"{organisation.where}: region {region.code} lies in {region.country}, not in the "
                            f"organisation's country {organisation.country}")
    return problems
