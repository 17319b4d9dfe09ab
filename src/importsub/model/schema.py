"""The one schema of every record type.

Each record type is a table (the same name is the xlsx sheet, the CSV file,
the JSON key and the database table).  Its fields, their types, units,
defaults and descriptions are data here, and everything else is derived from
them: columnar validation (:mod:`importsub.model.validate`), the pydantic
models (:mod:`importsub.model.records`), the xlsx template, the database
columns (:mod:`importsub.store.tables`) and the docs (``docs/records.md``).
This follows PyPSA's ``component_attrs`` tables: fields as data, not code.

Money is in roubles (RUB) throughout a dataset.
"""

from __future__ import annotations

from typing import Final

from importsub.model.fields import (
    CODE_KINDS,
    CURRENCY,
    HS_CODE_PATTERN,
    INN_PATTERN,
    ISO2_PATTERN,
    LARGEST,
    OGRN_PATTERN,
    OKPD2_PATTERN,
    ORG_KINDS,
    PROGRAMME,
    PROJECT_STATUSES,
    RECOVERY_PROFILES,
    REGIMES,
    REQUIRED,
    RULE_ITEM_KINDS,
    TARGET_KINDS,
    Field,
    FieldType,
    Owner,
    OwnerKind,
    RecordType,
    Ref,
    _inn,
    _ogrn,
    _source,
)

__all__ = [
    "CODE_KINDS",
    "CURRENCY",
    "HS_CODE_PATTERN",
    "INN_PATTERN",
    "ISO2_PATTERN",
    "LARGEST",
    "OGRN_PATTERN",
    "OKPD2_PATTERN",
    "ORG_KINDS",
    "PROGRAMME",
    "PROJECT_STATUSES",
    "RECOVERY_PROFILES",
    "REGIMES",
    "REQUIRED",
    "RULE_ITEM_KINDS",
    "TABLES",
    "TABLES_BY_NAME",
    "TABLE_NAMES",
    "TARGET_KINDS",
    "Field",
    "FieldType",
    "Owner",
    "OwnerKind",
    "RecordType",
    "Ref",
    "all_refs",
    "table",
]


TABLES: Final[tuple[RecordType, ...]] = (
    RecordType(
        "countries",
        "Country",
        "Countries, by ISO 3166-1 alpha-2 code.",
        (
            Field(
                "iso2",
                "str",
                description="ISO 3166-1 alpha-2 code, e.g. BY",
                pattern=ISO2_PATTERN,
                pattern_hint="two capital letters (ISO 3166-1 alpha-2), e.g. BY",
            ),
            Field("name", "str", description="Name in English"),
            Field("name_local", "str", default=None, description="Name in the local language, e.g. Беларусь"),
        ),
        key=("iso2",),
        owner=PROGRAMME,
    ),
    RecordType(
        "country_groups",
        "CountryGroup",
        "Membership of countries in named groups (e.g. union = BY + RU, external).",
        (
            Field("group", "str", description="Group name, e.g. union"),
            Field("iso2", "str", description="Member country", ref="countries"),
        ),
        key=("group", "iso2"),
        owner=PROGRAMME,
    ),
    RecordType(
        "organizations",
        "Organization",
        "Companies, research institutes and authorities.",
        (
            Field("id", "str", description="Identifier, e.g. AVTOVAZ"),
            Field("name", "str", description="Name in English or transliterated"),
            Field("name_local", "str", default=None, description="Name in the local script, e.g. АвтоВАЗ"),
            Field("country", "str", description="Country of registration", ref="countries"),
            Field("kind", "str", description="Role in the programme", choices=ORG_KINDS),
            _source(),
            _inn(),
            _ogrn(),
        ),
        key=("id",),
        owner=PROGRAMME,
    ),
    RecordType(
        "sites",
        "Site",
        "Plants, warehouses and assembly sites, with their location.",
        (
            Field("id", "str", description="Identifier, e.g. AVTOVAZ-TLT"),
            Field("organization", "str", description="Owner", ref="organizations"),
            Field("name", "str", description="Name in English or transliterated"),
            Field("name_local", "str", default=None, description="Name in the local script, e.g. Тольятти"),
            Field("country", "str", description="Country where the site is", ref="countries"),
            Field("region", "str", default=None, description="Region, e.g. Minsk region"),
            Field("lat", "float", unit="°", description="Latitude (WGS 84)", minimum=-90, maximum=90),
            Field("lon", "float", unit="°", description="Longitude (WGS 84)", minimum=-180, maximum=180),
            _source(),
        ),
        key=("id",),
        owner=Owner("organization", "organization"),
    ),
    RecordType(
        "parts",
        "Part",
        "Parts, components, materials and final products (vehicle models).",
        (
            Field("id", "str", description="Part number"),
            Field("name", "str", description="Name in English"),
            Field("name_local", "str", default=None, description="Name in Russian or Belarusian"),
            Field("category", "str", description="Category: vehicle, lighting, braking, rolled_rings, plastics, …"),
            Field("unit", "str", default="pcs", description="Unit of quantity (pcs, kg, set, …)"),
            Field(
                "hs_code",
                "str",
                default=None,
                description="HS / TN VED code (4 to 10 digits)",
                pattern=HS_CODE_PATTERN,
                pattern_hint="4 to 10 digits, no spaces or dots",
            ),
            Field(
                "unit_value",
                "float",
                unit=f"{CURRENCY}/unit",
                description="Typical value of one unit",
                positive=True,
            ),
            Field(
                "material",
                "bool",
                default=False,
                description="Basic material (steel, polymer granulate, aluminium, paint…): without a BOM its value "
                "is fully traced to its producer's country; any other BOM-less part made inside the group is "
                "untraced (origin unknown)",
            ),
            _source(),
            Field(
                "okpd2",
                "str",
                default=None,
                description="OKPD2 product code (Russian classifier of products), e.g. 29.32.30",
                pattern=OKPD2_PATTERN,
                pattern_hint="an OKPD2 code: two digits, then up to three dot-separated groups, e.g. 29.32.30.110",
            ),
            Field(
                "tnved",
                "str",
                default=None,
                description="TN VED EAEU code (4 to 10 digits); empty = hs_code",
                pattern=HS_CODE_PATTERN,
                pattern_hint="4 to 10 digits, no spaces or dots",
            ),
        ),
        key=("id",),
        owner=PROGRAMME,
    ),
    RecordType(
        "bom",
        "BomLine",
        "Bills of materials: how many units of a child part go into one unit of a parent part.",
        (
            Field("parent", "str", description="Parent part", ref="parts"),
            Field("child", "str", description="Child (input) part", ref="parts"),
            Field(
                "quantity",
                "float",
                unit="units/parent unit",
                description="Units of child per unit of parent",
                positive=True,
            ),
            _source(),
        ),
        key=("parent", "child"),
        owner=Owner("producer", "parent"),
    ),
    RecordType(
        "production",
        "Production",
        "What each site makes: capacity, price at that site and time to recover from a disruption.",
        (
            Field("site", "str", description="Producing site", ref="sites"),
            Field("part", "str", description="Part produced", ref="parts"),
            Field("capacity", "float", unit="units/yr", description="Production capacity", positive=True),
            Field(
                "unit_value",
                "float",
                unit=f"{CURRENCY}/unit",
                default=None,
                description="Price at this site; empty = the part's unit value",
                positive=True,
            ),
            Field(
                "time_to_recover",
                "float",
                unit="weeks",
                default=0.0,
                description="Weeks to restore full output after a disruption",
                minimum=0,
            ),
            Field(
                "pool",
                "str",
                default=None,
                description="Capacity pool (flexible line) shared with other parts at this site",
            ),
            _source(),
        ),
        key=("site", "part"),
        refs=(Ref(("site", "pool"), "capacity_pools", ("site", "pool"), "capacity pool"),),
        owner=Owner("site", "site"),
    ),
    RecordType(
        "capacity_pools",
        "CapacityPool",
        "Flexible lines: one capacity shared by several parts made at one site.",
        (
            Field("site", "str", description="Site of the line", ref="sites"),
            Field("pool", "str", description="Name of the line"),
            Field(
                "capacity", "float", unit="units/yr", description="Total output of all parts on the line", positive=True
            ),
            _source(),
        ),
        key=("site", "pool"),
        owner=Owner("site", "site"),
    ),
    RecordType(
        "inventory",
        "Inventory",
        "Stock on hand at a site: its own output or a purchased input.",
        (
            Field("site", "str", description="Site holding the stock", ref="sites"),
            Field("part", "str", description="Part in stock", ref="parts"),
            Field("units", "float", unit="units", description="Units on hand", minimum=0),
            _source(),
        ),
        key=("site", "part"),
        owner=Owner("site", "site"),
    ),
    RecordType(
        "supply_links",
        "SupplyLink",
        "Who supplies whom: the buyer site's need of a part and the supplier sites that meet it. "
        "Shares of one buyer and part sum to 1; a qualified alternative may carry share 0.",
        (
            Field("buyer", "str", description="Buying site", ref="sites"),
            Field("part", "str", description="Part bought", ref="parts"),
            Field("supplier", "str", description="Supplying site", ref="sites"),
            Field(
                "share",
                "float",
                unit="fraction",
                description="Share of the buyer's need of this part",
                minimum=0,
                maximum=1,
            ),
            Field("lead_time", "float", unit="weeks", default=0.0, description="Lead time", minimum=0),
            Field(
                "qualified",
                "bool",
                default=True,
                description="Qualified: the buyer may draw more than its share from this supplier in a disruption",
            ),
            _source(),
        ),
        key=("buyer", "part", "supplier"),
        refs=(Ref(("supplier", "part"), "production", ("site", "part"), "the supplier must produce the part"),),
        owner=Owner("site", "buyer"),
    ),
    RecordType(
        "demand",
        "Demand",
        "Final demand for vehicles (or other final parts) at a site, per year.",
        (
            Field("site", "str", description="Site that delivers the final part", ref="sites"),
            Field("part", "str", description="Final part (vehicle model)", ref="parts"),
            Field("year", "int", unit="year", description="Calendar year", minimum=1900, maximum=2200),
            Field("units", "float", unit="units/yr", description="Units demanded", minimum=0),
            Field(
                "margin",
                "float",
                unit=f"{CURRENCY}/unit",
                default=None,
                description="Margin lost per unit not delivered; empty = the part's unit value",
                minimum=0,
            ),
            _source(),
        ),
        key=("site", "part", "year"),
        refs=(Ref(("site", "part"), "production", ("site", "part"), "demand must be at a site that makes the part"),),
        owner=Owner("site", "site"),
    ),
    RecordType(
        "projects",
        "Project",
        "Joint import-substitution projects.",
        (
            Field("id", "str", description="Identifier, e.g. P-LED-RUDENSK"),
            Field("name", "str", description="Name in English"),
            Field("name_local", "str", default=None, description="Name in Russian"),
            Field(
                "host_site", "str", default=None, description="Host site; empty where none is announced", ref="sites"
            ),
            Field("capex", "float", unit=CURRENCY, default=0.0, description="Capital expenditure", minimum=0),
            Field(
                "opex", "float", unit=f"{CURRENCY}/yr", default=0.0, description="Operating cost per year", minimum=0
            ),
            Field(
                "start", "int", unit="year", default=None, description="Year work starts", minimum=1900, maximum=2200
            ),
            Field(
                "mrl",
                "int",
                unit="MRL",
                default=None,
                description="Manufacturing readiness level 1–10",
                minimum=1,
                maximum=10,
            ),
            Field("status", "str", default="planned", description="Status", choices=PROJECT_STATUSES),
            Field(
                "max_scale",
                "float",
                unit="×",
                default=1.0,
                description="Largest capacity level a portfolio may fund (× target)",
                positive=True,
            ),
            _source(),
        ),
        key=("id",),
        owner=Owner("project", "id"),
    ),
    RecordType(
        "project_partners",
        "ProjectPartner",
        "Organisations taking part in a project.",
        (
            Field("project", "str", description="Project", ref="projects"),
            Field("organization", "str", description="Partner", ref="organizations"),
            Field("role", "str", default=None, description="Role, e.g. investor, technology, host"),
        ),
        key=("project", "organization"),
        owner=PROGRAMME,
    ),
    RecordType(
        "project_outputs",
        "ProjectOutput",
        "Parts a project will produce, at full ramp-up.",
        (
            Field("project", "str", description="Project", ref="projects"),
            Field("part", "str", description="Part produced", ref="parts"),
            Field("capacity", "float", unit="units/yr", description="Target capacity at full ramp-up", positive=True),
            Field(
                "unit_value",
                "float",
                unit=f"{CURRENCY}/unit",
                default=None,
                description="Price; empty = the part's unit value",
                positive=True,
            ),
            _source(),
        ),
        key=("project", "part"),
        owner=Owner("project", "project"),
    ),
    RecordType(
        "project_rampup",
        "ProjectRampUp",
        "Share of target capacity a project reaches in each year.",
        (
            Field("project", "str", description="Project", ref="projects"),
            Field("year", "int", unit="year", description="Calendar year", minimum=1900, maximum=2200),
            Field(
                "fraction",
                "float",
                unit="fraction",
                description="Share of target capacity available",
                minimum=0,
                maximum=1,
            ),
        ),
        key=("project", "year"),
        owner=Owner("project", "project"),
    ),
    RecordType(
        "milestones",
        "Milestone",
        "Project milestones.",
        (
            Field("project", "str", description="Project", ref="projects"),
            Field("name", "str", description="Milestone"),
            Field("due", "date", unit="date", description="Planned date"),
            Field("done", "date", unit="date", default=None, description="Date achieved; empty = not yet"),
        ),
        key=("project", "name"),
        owner=Owner("project", "project"),
    ),
    RecordType(
        "project_substitutes",
        "ProjectSubstitute",
        "Imported supply links that a project's output can replace.",
        (
            Field("project", "str", description="Project", ref="projects"),
            Field("buyer", "str", description="Buying site", ref="sites"),
            Field("part", "str", description="Part", ref="parts"),
            Field("supplier", "str", description="Supplier being replaced", ref="sites"),
        ),
        key=("project", "buyer", "part", "supplier"),
        refs=(Ref(("buyer", "part", "supplier"), "supply_links", ("buyer", "part", "supplier"), "a supply link"),),
        owner=Owner("project", "project"),
    ),
    RecordType(
        "scenarios",
        "Scenario",
        "Named what-if cases: disruptions, demand changes and active projects.",
        (
            Field("name", "str", description="Scenario name"),
            Field("description", "str", default=None, description="What the scenario represents", multiline=True),
            Field(
                "year",
                "int",
                unit="year",
                default=None,
                description="Year whose demand and projects apply",
                minimum=1900,
                maximum=2200,
            ),
            Field(
                "weight",
                "float",
                unit="probability",
                default=1.0,
                description="Weight in a scenario set (expected loss)",
                minimum=0,
            ),
        ),
        key=("name",),
        owner=PROGRAMME,
    ),
    RecordType(
        "disruptions",
        "Disruption",
        "Disruptions of a scenario: what is cut, how badly and for how long.",
        (
            Field("scenario", "str", description="Scenario", ref="scenarios"),
            Field("target_kind", "str", description="Kind of target", choices=TARGET_KINDS),
            Field(
                "target",
                "str",
                description="Group name, ISO2 code, organization id, site id, part id, or buyer|part|supplier for a link",
            ),
            Field(
                "severity",
                "float",
                unit="fraction",
                default=1.0,
                description="Fraction of capacity lost",
                minimum=0,
                maximum=1,
            ),
            Field("duration", "float", unit="weeks", description="Length of the disruption", minimum=0),
            Field(
                "recovery",
                "str",
                default="instant",
                description="Recovery profile after the disruption",
                choices=RECOVERY_PROFILES,
            ),
        ),
        key=("scenario", "target_kind", "target"),
        owner=PROGRAMME,
    ),
    RecordType(
        "demand_changes",
        "DemandChange",
        "Changes of final demand in a scenario (factor × base demand).",
        (
            Field("scenario", "str", description="Scenario", ref="scenarios"),
            Field("site", "str", description="Site", ref="sites"),
            Field("part", "str", description="Final part", ref="parts"),
            Field("factor", "float", unit="×", description="Multiplier on base demand", minimum=0),
        ),
        key=("scenario", "site", "part"),
        owner=PROGRAMME,
    ),
    RecordType(
        "scenario_projects",
        "ScenarioProject",
        "Projects active in a scenario.",
        (
            Field("scenario", "str", description="Scenario", ref="scenarios"),
            Field("project", "str", description="Project", ref="projects"),
        ),
        key=("scenario", "project"),
        owner=PROGRAMME,
    ),
    RecordType(
        "programme",
        "Programme",
        "The programme the dataset's projects belong to, and how many projects it has in all "
        "(the dataset may hold only the public ones).",
        (
            Field("name", "str", description="Name of the programme"),
            Field(
                "size",
                "int",
                unit="projects",
                description="Projects in the whole programme, public or not",
                minimum=0,
                maximum=1_000_000,
            ),
            _source(),
        ),
        key=("name",),
        owner=PROGRAMME,
    ),
    RecordType(
        "rules",
        "Rule",
        "Statutory localisation rules (the user's data, versioned by effective dates): Decree 719 points tables, "
        "CIS 2009 origin, EAEU Decision 105 operations, industrial assembly.",
        (
            Field("id", "str", description="Identifier, e.g. PP719-M1-2019"),
            Field("regime", "str", description="Regime the rule belongs to", choices=REGIMES),
            Field("vehicle_class", "str", default=None, description="Vehicle class or product group, e.g. M1 car"),
            Field(
                "code_kind",
                "str",
                default="tnved",
                description="Code the product range is given in (tnved: the part's tnved, else hs_code)",
                choices=CODE_KINDS,
            ),
            Field(
                "code_from",
                "str",
                default=None,
                description="Lowest product code covered (a part matches when its code, cut to this length, lies "
                "in [code_from, code_to]); empty = every final product",
            ),
            Field("code_to", "str", default=None, description="Highest product code covered; empty = code_from"),
            Field("effective_from", "date", unit="date", description="First day the rule applies"),
            Field("effective_to", "date", unit="date", default=None, description="Last day; empty = still in force"),
            Field(
                "max_foreign_share",
                "float",
                unit="fraction",
                default=0.5,
                description="cis2009: largest value of non-originating materials per ex-works price",
                minimum=0,
                maximum=1,
            ),
            Field(
                "heading_digits",
                "int",
                unit="digits",
                default=4,
                description="cis2009: a change of tariff heading at this many digits also confers origin; 0 = no "
                "heading test",
                minimum=0,
                maximum=10,
            ),
            _source(),
        ),
        key=("id",),
        owner=PROGRAMME,
    ),
    RecordType(
        "rule_items",
        "RuleItem",
        "What earns points (pp719, eaeu105) or is required (eaeu105): operations performed at the plant, "
        "components and materials bought inside the group, R&D spending.",
        (
            Field("rule", "str", description="Rule", ref="rules"),
            Field("item", "str", description="Identifier of the item within the rule, e.g. welding"),
            Field("kind", "str", description="What the item asks for", choices=RULE_ITEM_KINDS),
            Field(
                "code",
                "str",
                description="operation/rnd: an operation code of site_operations; component/material: a part id, "
                "or a TN VED or OKPD2 code prefix of input parts",
            ),
            Field("points", "float", unit="points", default=0.0, description="Points the item earns", minimum=0),
            Field(
                "min_share",
                "float",
                unit="fraction",
                default=1.0,
                description="Share of volume that must be covered: the operation's share, or the share of the "
                "input bought from registered (component) or group (material) producers",
                minimum=0,
                maximum=1,
            ),
            Field(
                "per_step",
                "float",
                unit="fraction",
                default=None,
                description="Points are earned per full step of the share (e.g. R&D 200 points per 0.005 of "
                "revenue); empty = once, when min_share is met",
                positive=True,
                maximum=1,
            ),
            Field(
                "all_of",
                "str",
                default=None,
                description="Items sharing this label earn their points only when every one of them is met",
            ),
            Field(
                "required",
                "bool",
                default=False,
                description="eaeu105: a required operation (origin needs every required item)",
            ),
            Field("description", "str", default=None, description="What the item is, in words"),
            _source(),
        ),
        key=("rule", "item"),
        owner=PROGRAMME,
    ),
    RecordType(
        "rule_thresholds",
        "RuleThreshold",
        "Minimum score (points) or localisation share (%, assembly) per purpose, from a year on.",
        (
            Field("rule", "str", description="Rule", ref="rules"),
            Field("purpose", "str", description="Purpose, e.g. procurement, support, spic, taxi"),
            Field("year", "int", unit="year", description="First year the minimum applies", minimum=1900, maximum=2200),
            Field(
                "minimum",
                "float",
                unit="points | %",
                description="Minimum score [points] (pp719, eaeu105) or localisation [%] (assembly)",
                minimum=0,
            ),
            _source(),
        ),
        key=("rule", "purpose", "year"),
        owner=PROGRAMME,
    ),
    RecordType(
        "site_operations",
        "SiteOperation",
        "Operations a site performs on a part it makes (body welding, painting, stamping…), with the share of "
        "volume; R&D spending as an operation whose share is R&D per revenue.",
        (
            Field("site", "str", description="Site", ref="sites"),
            Field("part", "str", description="Part made", ref="parts"),
            Field("operation", "str", description="Operation code, e.g. welding"),
            Field(
                "share",
                "float",
                unit="fraction",
                default=1.0,
                description="Share of the part's volume that goes through the operation (rnd: R&D per revenue)",
                minimum=0,
                maximum=1,
            ),
            _source(),
        ),
        key=("site", "part", "operation"),
        refs=(Ref(("site", "part"), "production", ("site", "part"), "the site must make the part"),),
        owner=Owner("site", "site"),
    ),
    RecordType(
        "registry_entries",
        "RegistryEntry",
        "Entries of a registry of industrial products (Russia's GISP under Decree 719, the Eurasian register): "
        "public data, linked to organisations by INN/OGRN and to parts by OKPD2/TN VED.",
        (
            Field("number", "str", description="Registry number (Regnumber)"),
            Field("product", "str", description="Product name (Productname)"),
            Field("organization", "str", default=None, description="Producer; empty = not linked", ref="organizations"),
            Field("organization_name", "str", default=None, description="Producer's name as registered (Nameoforg)"),
            _inn(),
            _ogrn(),
            Field("part", "str", default=None, description="Part; empty = matched by code", ref="parts"),
            Field(
                "okpd2",
                "str",
                default=None,
                description="OKPD2 code",
                pattern=OKPD2_PATTERN,
                pattern_hint="an OKPD2 code: two digits, then up to three dot-separated groups",
            ),
            Field(
                "tnved",
                "str",
                default=None,
                description="TN VED code",
                pattern=HS_CODE_PATTERN,
                pattern_hint="4 to 10 digits, no spaces or dots",
            ),
            Field("score", "float", unit="points", default=None, description="Localisation score", minimum=0),
            Field(
                "percentage",
                "float",
                unit="%",
                default=None,
                description="Localisation percentage",
                minimum=0,
                maximum=100,
            ),
            Field("doc_date", "date", unit="date", default=None, description="Date of the document (Docdate)"),
            Field("valid_until", "date", unit="date", default=None, description="Valid until; empty = open-ended"),
            Field("address", "str", default=None, description="Address of manufacture (Productmanufaddress)"),
            _source(),
        ),
        key=("number", "product"),
        owner=PROGRAMME,
    ),
)

TABLES_BY_NAME: Final[dict[str, RecordType]] = {t.name: t for t in TABLES}
TABLE_NAMES: Final[tuple[str, ...]] = tuple(t.name for t in TABLES)


def table(name: str) -> RecordType:
    """The record type called ``name`` (a table, sheet, CSV file or JSON key)."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown record type {name!r}; known: {', '.join(TABLE_NAMES)}") from None


def all_refs(rt: RecordType) -> tuple[Ref, ...]:
    """The references of a record type: its single-field ``ref`` shortcuts and its composite ``refs`` together."""
    single = tuple(Ref((f.name,), f.ref, TABLES_BY_NAME[f.ref].key) for f in rt.fields if f.ref)
    return single + rt.refs
