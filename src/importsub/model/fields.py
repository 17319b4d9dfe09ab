"""The building blocks of the record schema: fields, references, owners, record types, enumerations.

:mod:`importsub.model.schema` declares every record type with them (the one schema); this module
holds what a declaration is made of, so that the schema file is only declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from importsub.model.words import N_

FieldType = Literal["str", "int", "float", "bool", "date"]


class _Required:
    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return "REQUIRED"


REQUIRED: Final = _Required()

CURRENCY: Final = "RUB"

LARGEST: Final = 1e15
"""Largest magnitude of any number in a dataset (10^15: a quadrillion roubles, units or weeks); beyond it
a value is a typing slip, and products of two such numbers would overflow what analyses can show."""

ISO2_PATTERN: Final = r"[A-Z]{2}"
HS_CODE_PATTERN: Final = r"[0-9]{4,10}"
OKPD2_PATTERN: Final = r"[0-9]{2}(\.[0-9]{1,3}){0,3}"
INN_PATTERN: Final = r"[0-9]{10}|[0-9]{12}"
OGRN_PATTERN: Final = r"[0-9]{13}|[0-9]{15}"


@dataclass(frozen=True)
class Field:
    """One column of a record type.

    ``minimum``/``maximum`` are inclusive bounds; ``positive`` means ``> 0``.
    ``ref`` names the table whose key this single field must match.
    ``pattern`` is a regular expression a text value must match in full
    (``pattern_hint`` says it in words); ``multiline`` text may hold tabs
    and line breaks (no other control characters are allowed anywhere).
    ``check`` names a check-digit rule the value must also pass (:mod:`importsub.model.identifiers`:
    ``inn`` for a Russian taxpayer number, ``ogrn`` for a state registration number).
    Numbers have a magnitude of at most :data:`LARGEST` unless ``maximum`` says otherwise.
    ``label_ru`` and ``description_ru`` say the field in Russian (pages, forms, the API's schema, the xlsx
    template's header comments, docs); the English label is the field's name, the import contract.
    ``choices_ru`` names each of ``choices`` in Russian, in the same order (the code is what is stored and
    submitted; the label is what a Russian page shows).
    """

    name: str
    type: FieldType
    unit: str = ""
    default: Any = REQUIRED
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] | None = None
    ref: str | None = None
    pattern: str | None = None
    pattern_hint: str = ""
    multiline: bool = False
    check: Literal["inn", "ogrn"] | None = None
    label_ru: str = ""
    description_ru: str = ""
    choices_ru: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.choices_ru is not None:
            assert self.choices is not None, f"choices_ru of {self.name} without choices"
            assert len(self.choices_ru) == len(self.choices), f"choices_ru of {self.name} must name each choice"

    def choice_label(self, code: str, lang: str) -> str:
        """The label of one of ``choices`` in ``lang`` (the code itself in English, or when it is not a choice)."""
        if lang == "ru" and self.choices and self.choices_ru and code in self.choices:
            return self.choices_ru[self.choices.index(code)]
        return code

    def label(self, lang: str) -> str:
        """The field's header in ``lang``: the Russian label, or the field's name (the import header)."""
        return self.label_ru if lang == "ru" and self.label_ru else self.name

    def about(self, lang: str) -> str:
        """The field's description in ``lang``."""
        return self.description_ru if lang == "ru" and self.description_ru else self.description

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def bounds_text(self) -> str:
        parts: list[str] = []
        if self.positive:
            parts.append("> 0")
        if self.minimum is not None:
            parts.append(f">= {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum:g}")
        if self.choices:
            parts.append("one of " + ", ".join(self.choices))
        return "; ".join(parts)


@dataclass(frozen=True)
class Ref:
    """A (possibly composite) reference: ``fields`` of this table must match
    ``target_fields`` of a row of ``table``."""

    fields: tuple[str, ...]
    table: str
    target_fields: tuple[str, ...]
    why: str = ""


OwnerKind = Literal["programme", "organization", "site", "project", "producer"]


@dataclass(frozen=True)
class Owner:
    """Who owns a row of a record type, and so who may add, change or delete it (besides an administrator).

    ``kind``:

    * ``programme`` — the programme (its ministries: users of role ``programme``);
    * ``organization`` — the organisation named in ``column`` of the row;
    * ``site`` — the organisation of the site named in ``column`` (everything at a site is its organisation's);
    * ``project`` — the partner organisations of the project named in ``column``;
    * ``producer`` — the organisation that alone makes the part named in ``column`` (a part several
      organisations make, or none: the programme).
    """

    kind: OwnerKind
    column: str | None = None

    def __post_init__(self) -> None:
        assert (self.kind == "programme") == (self.column is None), f"owner {self.kind} needs a column"

    def describe(self) -> str:
        """The rule in words (docs, messages)."""
        return {
            "programme": "the programme",
            "organization": f"the organisation in `{self.column}`",
            "site": f"the organisation of the site in `{self.column}`",
            "project": f"the partners of the project in `{self.column}`",
            "producer": f"the organisation that alone makes the part in `{self.column}` (else the programme)",
        }[self.kind]


PROGRAMME: Final = Owner("programme")


@dataclass(frozen=True)
class RecordType:
    """A table of records: its fields, its key, its references and who owns a row."""

    name: str
    record: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    refs: tuple[Ref, ...] = field(default=())
    owner: Owner = PROGRAMME
    label: str = ""
    label_ru: str = ""
    description_ru: str = ""
    """``label`` names the table in English (``label_ru`` in Russian); ``description_ru`` is the description in
    Russian."""

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        assert len(set(names)) == len(names), f"duplicate field in {self.name}"
        assert set(self.key) <= set(names), f"bad key in {self.name}"
        assert self.owner.column is None or self.owner.column in names, f"bad owner column in {self.name}"

    def title(self, lang: str) -> str:
        """The table's name in ``lang`` (pages' headings, links)."""
        return (self.label_ru if lang == "ru" else self.label) or self.name

    def about(self, lang: str) -> str:
        """The table's description in ``lang``."""
        return self.description_ru if lang == "ru" and self.description_ru else self.description

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _source() -> Field:
    return Field(
        "source",
        "str",
        default=None,
        description="Where the figures come from (publisher, year); 'estimate' when they are not public",
        multiline=True,
        label_ru="Источник",
        description_ru="Откуда взяты данные (издатель, год); «estimate» (оценка), если они не публичны",
    )


def _inn() -> Field:
    return Field(
        "inn",
        "str",
        default=None,
        description="Russian taxpayer number (INN): 10 digits for a company, 12 for a sole trader, with check digits",
        pattern=INN_PATTERN,
        pattern_hint=N_("an INN of 10 or 12 digits"),
        check="inn",
        label_ru="ИНН",
        description_ru="ИНН: 10 цифр для организации, 12 для индивидуального предпринимателя, с контрольными цифрами",
    )


def _ogrn() -> Field:
    return Field(
        "ogrn",
        "str",
        default=None,
        description="Russian state registration number (OGRN 13 digits, OGRNIP 15), with its check digit",
        pattern=OGRN_PATTERN,
        pattern_hint=N_("an OGRN of 13 or 15 digits"),
        check="ogrn",
        label_ru="ОГРН",
        description_ru="ОГРН (13 цифр) или ОГРНИП (15), с контрольной цифрой",
    )


# each enumeration: its codes (stored, submitted, in files) and, in the same order, their Russian labels
ORG_KINDS: Final = ("oem", "supplier", "research", "authority")
ORG_KINDS_RU: Final = ("автопроизводитель", "поставщик", "научная организация", "орган власти")
PROJECT_STATUSES: Final = ("planned", "financing", "construction", "ramp-up", "operating", "halted")
PROJECT_STATUSES_RU: Final = (
    "планируется",
    "финансирование",
    "строительство",
    "освоение мощности",
    "работает",
    "остановлен",
)
TARGET_KINDS: Final = ("group", "country", "organization", "site", "part", "link")
TARGET_KINDS_RU: Final = ("группа стран", "страна", "организация", "площадка", "изделие", "поставка")
RECOVERY_PROFILES: Final = ("instant", "linear")
RECOVERY_PROFILES_RU: Final = ("мгновенное", "линейное")
REGIMES: Final = ("pp719", "cis2009", "eaeu105", "assembly")
REGIMES_RU: Final = ("ПП 719", "СНГ 2009", "ЕАЭС 105", "промышленная сборка")
RULE_ITEM_KINDS: Final = ("operation", "component", "material", "rnd")
RULE_ITEM_KINDS_RU: Final = ("операция", "компонент", "материал", "НИОКР")
CODE_KINDS: Final = ("tnved", "okpd2")
CODE_KINDS_RU: Final = ("ТН ВЭД", "ОКПД 2")
