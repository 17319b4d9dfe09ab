"""The record types of statutory localisation: rules, their items and thresholds, site operations and
registry entries.

Part of the one schema (:mod:`importsub.model.schema` assembles them).
"""

from __future__ import annotations

from typing import Final

from importsub.model.fields import (
    CODE_KINDS,
    CODE_KINDS_RU,
    HS_CODE_PATTERN,
    OKPD2_PATTERN,
    PROGRAMME,
    REGIMES,
    REGIMES_RU,
    RULE_ITEM_KINDS,
    RULE_ITEM_KINDS_RU,
    Field,
    Owner,
    RecordType,
    Ref,
    _inn,
    _ogrn,
    _source,
)
from importsub.model.words import N_

RULES: Final[tuple[RecordType, ...]] = (
    RecordType(
        "rules",
        "Rule",
        "Statutory localisation rules (the user's data, versioned by effective dates): Decree 719 points tables, "
        "CIS 2009 origin, EAEU Decision 105 operations, industrial assembly.",
        (
            Field(
                "id",
                "str",
                description="Identifier, e.g. PP719-M1-2019",
                label_ru="Идентификатор",
                description_ru="Идентификатор, напр. PP719-M1-2019",
            ),
            Field(
                "regime",
                "str",
                description="Regime the rule belongs to",
                choices=REGIMES,
                choices_ru=REGIMES_RU,
                label_ru="Режим",
                description_ru="Режим, к которому относится правило",
            ),
            Field(
                "vehicle_class",
                "str",
                default=None,
                description="Vehicle class or product group, e.g. M1 car",
                label_ru="Класс ТС",
                description_ru="Класс транспортного средства или группа продукции, напр. легковой M1",
            ),
            Field(
                "code_kind",
                "str",
                default="tnved",
                description="Code the product range is given in (tnved: the part's tnved, else hs_code)",
                choices=CODE_KINDS,
                choices_ru=CODE_KINDS_RU,
                label_ru="Вид кода",
                description_ru=(
                    "Классификатор, в котором задан диапазон продукции (tnved: tnved изделия, иначе hs_code)"
                ),
            ),
            Field(
                "code_from",
                "str",
                default=None,
                description="Lowest product code covered (a part matches when its code, cut to this length, lies "
                "in [code_from, code_to]); empty = every final product",
                label_ru="Код от",
                description_ru=(
                    "Наименьший охватываемый код продукции (изделие подходит, если его код, усечённый "
                    "до этой длины, лежит в [code_from, code_to]); пусто = вся конечная продукция"
                ),
            ),
            Field(
                "code_to",
                "str",
                default=None,
                description="Highest product code covered; empty = code_from",
                label_ru="Код до",
                description_ru="Наибольший охватываемый код продукции; пусто = code_from",
            ),
            Field(
                "effective_from",
                "date",
                unit="date",
                description="First day the rule applies",
                label_ru="Действует с",
                description_ru="Первый день действия правила",
            ),
            Field(
                "effective_to",
                "date",
                unit="date",
                default=None,
                description="Last day; empty = still in force",
                label_ru="Действует по",
                description_ru="Последний день; пусто = действует",
            ),
            Field(
                "max_foreign_share",
                "float",
                unit="fraction",
                default=0.5,
                description="cis2009: largest value of non-originating materials per ex-works price",
                minimum=0,
                maximum=1,
                label_ru="Наибольшая иностранная доля",
                description_ru=(
                    "cis2009: наибольшая стоимость материалов непроисходящих из группы на цену франко-завод"
                ),
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
                label_ru="Знаков позиции",
                description_ru=(
                    "cis2009: смена товарной позиции на этом числе знаков тоже придаёт происхождение; "
                    "0 = без проверки позиции"
                ),
            ),
            _source(),
        ),
        key=("id",),
        owner=PROGRAMME,
        label="Localisation rules",
        label_ru="Правила локализации",
        description_ru=(
            "Нормативные правила локализации (данные пользователя, с датами действия): "
            "таблицы баллов ПП 719, происхождение по правилам СНГ 2009, операции по Решению "
            "ЕАЭС 105, промышленная сборка."
        ),
    ),
    RecordType(
        "rule_items",
        "RuleItem",
        "What earns points (pp719, eaeu105) or is required (eaeu105): operations performed at the plant, "
        "components and materials bought inside the group, R&D spending.",
        (
            Field("rule", "str", description="Rule", ref="rules", label_ru="Правило", description_ru="Правило"),
            Field(
                "item",
                "str",
                description="Identifier of the item within the rule, e.g. welding",
                label_ru="Пункт",
                description_ru="Идентификатор пункта в правиле, напр. welding",
            ),
            Field(
                "kind",
                "str",
                description="What the item asks for",
                choices=RULE_ITEM_KINDS,
                choices_ru=RULE_ITEM_KINDS_RU,
                label_ru="Вид",
                description_ru="Что требует пункт",
            ),
            Field(
                "code",
                "str",
                description="operation/rnd: an operation code of site_operations; component/material: a part id, "
                "or a TN VED or OKPD2 code prefix of input parts",
                label_ru="Код",
                description_ru=(
                    "operation/rnd: код операции из site_operations; component/material: "
                    "идентификатор изделия или префикс кода ТН ВЭД или ОКПД 2 входящих изделий"
                ),
            ),
            Field(
                "points",
                "float",
                unit="points",
                default=0.0,
                description="Points the item earns",
                minimum=0,
                label_ru="Баллы",
                description_ru="Баллы за пункт",
            ),
            Field(
                "min_share",
                "float",
                unit="fraction",
                default=1.0,
                description="Share of volume that must be covered: the operation's share, or the share of the "
                "input bought from registered (component) or group (material) producers",
                minimum=0,
                maximum=1,
                label_ru="Наименьшая доля",
                description_ru=(
                    "Доля объёма, которая должна быть покрыта: доля операции или доля входящего "
                    "изделия, закупленного у производителей из реестра (component) или группы "
                    "(material)"
                ),
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
                label_ru="За шаг",
                description_ru=(
                    "Баллы начисляются за каждый полный шаг доли (напр. НИОКР: 200 баллов за 0,005 "
                    "выручки); пусто = один раз, при достижении min_share"
                ),
            ),
            Field(
                "all_of",
                "str",
                default=None,
                description="Items sharing this label earn their points only when every one of them is met",
                label_ru="Все из",
                description_ru="Пункты с этой меткой получают баллы, только когда выполнен каждый из них",
            ),
            Field(
                "required",
                "bool",
                default=False,
                description="eaeu105: a required operation (origin needs every required item)",
                label_ru="Обязателен",
                description_ru="eaeu105: обязательная операция (происхождение требует всех обязательных пунктов)",
            ),
            Field(
                "description",
                "str",
                default=None,
                description="What the item is, in words",
                label_ru="Описание",
                description_ru="Что это за пункт, словами",
            ),
            _source(),
        ),
        key=("rule", "item"),
        owner=PROGRAMME,
        label="Rule items",
        label_ru="Пункты правил",
        description_ru=(
            "За что начисляются баллы (pp719, eaeu105) или что обязательно (eaeu105): "
            "операции на заводе, компоненты и материалы, закупленные внутри группы, расходы "
            "на НИОКР."
        ),
    ),
    RecordType(
        "rule_thresholds",
        "RuleThreshold",
        "Minimum score (points) or localisation share (%, assembly) per purpose, from a year on.",
        (
            Field("rule", "str", description="Rule", ref="rules", label_ru="Правило", description_ru="Правило"),
            Field(
                "purpose",
                "str",
                description="Purpose, e.g. procurement, support, spic, taxi",
                label_ru="Назначение",
                description_ru=(
                    "Назначение, напр. procurement (закупки), support (поддержка), spic (СПИК), taxi (такси)"
                ),
            ),
            Field(
                "year",
                "int",
                unit="year",
                description="First year the minimum applies",
                minimum=1900,
                maximum=2200,
                label_ru="Год",
                description_ru="Первый год, с которого действует порог",
            ),
            Field(
                "minimum",
                "float",
                unit="points | %",
                description="Minimum score [points] (pp719, eaeu105) or localisation [%] (assembly)",
                minimum=0,
                label_ru="Порог",
                description_ru="Наименьший балл [баллы] (pp719, eaeu105) или локализация [%] (assembly)",
            ),
            _source(),
        ),
        key=("rule", "purpose", "year"),
        owner=PROGRAMME,
        label="Rule thresholds",
        label_ru="Пороги правил",
        description_ru=("Наименьший балл (баллы) или доля локализации (%, сборка) по назначению, начиная с года."),
    ),
    RecordType(
        "site_operations",
        "SiteOperation",
        "Operations a site performs on a part it makes (body welding, painting, stamping…), with the share of "
        "volume; R&D spending as an operation whose share is R&D per revenue.",
        (
            Field("site", "str", description="Site", ref="sites", label_ru="Площадка", description_ru="Площадка"),
            Field(
                "part",
                "str",
                description="Part made",
                ref="parts",
                label_ru="Изделие",
                description_ru="Выпускаемое изделие",
            ),
            Field(
                "operation",
                "str",
                description="Operation code, e.g. welding",
                label_ru="Операция",
                description_ru="Код операции, напр. welding",
            ),
            Field(
                "share",
                "float",
                unit="fraction",
                default=1.0,
                description="Share of the part's volume that goes through the operation (rnd: R&D per revenue)",
                minimum=0,
                maximum=1,
                label_ru="Доля",
                description_ru="Доля объёма изделия, проходящая операцию (rnd: НИОКР на выручку)",
            ),
            _source(),
        ),
        key=("site", "part", "operation"),
        refs=(Ref(("site", "part"), "production", ("site", "part"), N_("the site must make the part")),),
        owner=Owner("site", "site"),
        label="Site operations",
        label_ru="Операции площадок",
        description_ru=(
            "Операции, которые площадка выполняет над своим изделием (сварка кузова, окраска, "
            "штамповка…), с долей объёма; расходы на НИОКР — операция с долей НИОКР в "
            "выручке."
        ),
    ),
    RecordType(
        "registry_entries",
        "RegistryEntry",
        "Entries of a registry of industrial products (Russia's GISP under Decree 719, the Eurasian register): "
        "public data, linked to organisations by INN/OGRN and to parts by OKPD2/TN VED.",
        (
            Field(
                "number",
                "str",
                description="Registry number (Regnumber)",
                label_ru="Реестровый номер",
                description_ru="Реестровый номер (Regnumber)",
            ),
            Field(
                "product",
                "str",
                description="Product name (Productname)",
                label_ru="Продукция",
                description_ru="Наименование продукции (Productname)",
            ),
            Field(
                "organization",
                "str",
                default=None,
                description="Producer; empty = not linked",
                ref="organizations",
                label_ru="Организация",
                description_ru="Производитель; пусто = не связан",
            ),
            Field(
                "organization_name",
                "str",
                default=None,
                description="Producer's name as registered (Nameoforg)",
                label_ru="Наименование производителя",
                description_ru="Наименование производителя по реестру (Nameoforg)",
            ),
            _inn(),
            _ogrn(),
            Field(
                "part",
                "str",
                default=None,
                description="Part; empty = matched by code",
                ref="parts",
                label_ru="Изделие",
                description_ru="Изделие; пусто = сопоставлено по коду",
            ),
            Field(
                "okpd2",
                "str",
                default=None,
                description="OKPD2 code",
                pattern=OKPD2_PATTERN,
                pattern_hint=N_("an OKPD2 code: two digits, then up to three dot-separated groups"),
                label_ru="Код ОКПД 2",
                description_ru="Код ОКПД 2",
            ),
            Field(
                "tnved",
                "str",
                default=None,
                description="TN VED code",
                pattern=HS_CODE_PATTERN,
                pattern_hint=N_("4 to 10 digits, no spaces or dots"),
                label_ru="Код ТН ВЭД",
                description_ru="Код ТН ВЭД",
            ),
            Field(
                "score",
                "float",
                unit="points",
                default=None,
                description="Localisation score",
                minimum=0,
                label_ru="Балл",
                description_ru="Балл локализации",
            ),
            Field(
                "percentage",
                "float",
                unit="%",
                default=None,
                description="Localisation percentage",
                minimum=0,
                maximum=100,
                label_ru="Процент",
                description_ru="Процент локализации",
            ),
            Field(
                "doc_date",
                "date",
                unit="date",
                default=None,
                description="Date of the document (Docdate)",
                label_ru="Дата документа",
                description_ru="Дата документа (Docdate)",
            ),
            Field(
                "valid_until",
                "date",
                unit="date",
                default=None,
                description="Valid until; empty = open-ended",
                label_ru="Действует до",
                description_ru="Действует до; пусто = бессрочно",
            ),
            Field(
                "address",
                "str",
                default=None,
                description="Address of manufacture (Productmanufaddress)",
                label_ru="Адрес",
                description_ru="Адрес производства (Productmanufaddress)",
            ),
            _source(),
        ),
        key=("number", "product"),
        owner=PROGRAMME,
        label="Registry entries",
        label_ru="Записи реестра",
        description_ru=(
            "Записи реестра промышленной продукции (ГИСП по ПП 719, Евразийский реестр): "
            "открытые данные, связанные с организациями по ИНН/ОГРН и с изделиями по ОКПД "
            "2/ТН ВЭД."
        ),
    ),
)
