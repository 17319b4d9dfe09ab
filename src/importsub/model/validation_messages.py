"""Validation messages by id, with their parameters: the English the CLI prints and its Russian.

:mod:`importsub.model.validate` composes a problem's message in English (vectorised, one expression per
rule); every message of the common rules is declared here as a template whose ``{name}`` placeholders are the
message's parameters.  :func:`parse_message` reads an English message back into (id, parameters) and
:func:`render` writes it in another language, so the web shows a Russian page's problems in Russian while
the CLI's English stays exactly as it was.  Where a problem is (file, sheet, row, column) is not part of the
message: it stays in the :class:`~importsub.model.errors.Problem`'s own fields.

A message no template matches is shown as it is (English); ``tests/test_schema_russian.py`` checks that every
template matches what validation really writes.

>>> render("must be >= 0 weeks, got -2", "ru")
'должно быть ≥ 0 weeks, получено -2'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final


@dataclass(frozen=True)
class Message:
    """One validation message: ``id``, its English template and its Russian one (same ``{placeholders}``)."""

    id: str
    en: str
    ru: str

    @property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", self.en)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        return re.compile(f"^{rx}$", re.DOTALL)


MESSAGES: Final[tuple[Message, ...]] = (
    Message("unknown_column", "unknown column {column}; expected: {expected}", "неизвестный столбец {column}; ожидаются: {expected}"),
    Message("missing_column", "missing column {column} (required)", "нет столбца {column} (обязательный)"),
    Message("not_type", "{value} is not {type}", "{value} — не {type}"),
    Message("missing_value", "missing value ({field})", "нет значения ({field})"),
    Message("int_range", "whole number out of range", "целое число вне допустимого диапазона"),
    Message("not_finite", "must be a finite number", "должно быть конечным числом"),
    Message("positive", "must be > 0, got {value}", "должно быть > 0, получено {value}"),
    Message("minimum", "must be >= {bound}, got {value}", "должно быть ≥ {bound}, получено {value}"),
    Message("maximum", "must be <= {bound}, got {value}", "должно быть ≤ {bound}, получено {value}"),
    Message("not_choice", "{value} is not one of: {choices}", "{value} — не из списка: {choices}"),
    Message("blank", "blank text", "пустой текст"),
    Message("too_long", "text longer than {limit} characters", "текст длиннее {limit} символов"),
    Message("control", "contains the control character U+00{code}{where}", "содержит управляющий символ U+00{code}{where}"),
    Message("check_digit", "{value} is not a valid {what}: a check digit is wrong", "{value} — недействительный {what}: неверна контрольная цифра"),
    Message("too_large", "{value} is beyond the largest magnitude allowed ({limit})", "{value} больше наибольшего допустимого по модулю значения ({limit})"),
    Message("duplicate_key", "duplicate key ({key}) = {value}; first at row {row}", "повтор ключа ({key}) = {value}; впервые в строке {row}"),
    Message("unknown_ref", "unknown {record} {value} (not in sheet {table})", "неизвестное значение {value}: нет записи {record} на листе {table}"),
    Message("no_record", "no {table} record with ({fields}) = {value} ({why})", "нет записи {table} с ({fields}) = {value} ({why})"),
    Message("no_record_plain", "no {table} record with ({fields}) = {value}", "нет записи {table} с ({fields}) = {value}"),
    Message("shares", "shares of buyer {buyer} for part {part} sum to {sum}, not 1 (±1e-6)", "доли покупателя {buyer} по изделию {part} в сумме дают {sum}, а не 1 (±1e-6)"),
    Message("pattern", "{value} is not {hint}", "{value} не соответствует формату: {hint}"),
    Message("bom_cycle", "BOM cycle: {cycle} (rows {rows})", "цикл в спецификации (BOM): {cycle} (строки {rows})"),
    Message("value_added_unmapped", "negative value added: inputs of {part} at {site} cost {mapped} RUB per unit mapped + {unmapped} RUB unmapped ({children}, at their parts' unit value; no supply link at the site), more than its value {value} RUB", "отрицательная добавленная стоимость: входы изделия {part} на площадке {site} стоят {mapped} руб. за единицу по связям поставок + {unmapped} руб. без связей ({children}, по стоимости единицы изделий; у площадки нет связи поставки), больше его стоимости {value} руб."),
    Message("value_added", "negative value added: inputs of {part} at {site} cost {cost} RUB per unit, more than its value {value} RUB", "отрицательная добавленная стоимость: входы изделия {part} на площадке {site} стоят {cost} руб. за единицу, больше его стоимости {value} руб."),
    Message("stock_unused", "stock of part {part} at site {site} is never used: the site neither makes nor buys it (no production record, no supply link with buyer {buyer})", "запас изделия {part} на площадке {site} никогда не используется: площадка его не выпускает и не покупает (нет записи о выпуске, нет связи поставки с покупателем {buyer})"),
    Message("link_unused", "buyer {buyer} makes nothing that uses part {part} (no production or hosted project output at {site} has it in its BOM): the link from {supplier} would be ignored", "покупатель {buyer} не выпускает ничего, во что входит изделие {part} (ни выпуск, ни продукция проекта на площадке {site} не содержат его в спецификации): связь от {supplier} не будет учтена"),
    Message("target_unknown", "target {target} of kind {kind} names nothing: no {what} {name} (known: {known})", "объект {target} вида {kind} ни на что не указывает: нет объекта «{what}» {name} (известны: {known})"),
    Message("link_target_form", "a link target is written buyer|part|supplier, not {target}", "объект-связь записывается как покупатель|изделие|поставщик, а не {target}"),
    Message("link_target_unknown", "target {target} of kind link names nothing: no supply link to buyer {buyer} of part {part} from supplier {supplier}", "объект {target} вида link ни на что не указывает: нет связи поставки покупателю {buyer} изделия {part} от поставщика {supplier}"),
)  # fmt: skip
"""``pattern`` comes after ``not_type`` (both read "… is not …"): a type word is recognised first."""

#: parameter values that are words of the English message (type words, hints, what a check digit checks)
WORDS_RU: Final[dict[str, str]] = {
    "a whole number": "целое число",
    "a number": "число",
    "true or false": "true или false (да или нет)",
    "a date (YYYY-MM-DD, nothing after it but a valid time)": "дата (ГГГГ-ММ-ДД, после неё допускается только время)",
    "text": "текст",
    "INN": "ИНН",
    "OGRN": "ОГРН",
    "; tabs and line breaks are allowed only in multi-line fields": (
        "; табуляция и переносы строк допустимы только в многострочных полях"
    ),
    "two capital letters (ISO 3166-1 alpha-2), e.g. BY": "две заглавные латинские буквы (код ISO 3166-1), напр. BY",
    "4 to 10 digits, no spaces or dots": "от 4 до 10 цифр, без пробелов и точек",
    "an INN of 10 or 12 digits": "ИНН из 10 или 12 цифр",
    "an OGRN of 13 or 15 digits": "ОГРН из 13 или 15 цифр",
    "an OKPD2 code: two digits, then up to three dot-separated groups, e.g. 29.32.30.110": (
        "код ОКПД 2: две цифры, затем до трёх групп через точку, напр. 29.32.30.110"
    ),
    "none": "нет",
    "country group": "группа стран",
    "country": "страна",
    "organization": "организация",
    "site": "площадка",
    "part": "изделие",
    "an OKPD2 code: two digits, then up to three dot-separated groups": (
        "код ОКПД 2: две цифры, затем до трёх групп через точку"
    ),
}
_TYPE_WORDS: Final = frozenset(list(WORDS_RU)[:5])


@cache
def _compiled() -> tuple[tuple[Message, re.Pattern[str]], ...]:
    return tuple((m, m.pattern) for m in MESSAGES)


def parse_message(text: str) -> tuple[str, dict[str, str]] | None:
    """(id, parameters) of an English validation message, or None when no template matches it."""
    for m, rx in _compiled():
        hit = rx.match(text)
        if hit is None:
            continue
        params = hit.groupdict()
        if m.id == "not_type" and params["type"] not in _TYPE_WORDS:
            continue  # a pattern hint, not a type
        return m.id, params
    return None


MESSAGES_BY_ID: Final[dict[str, Message]] = {m.id: m for m in MESSAGES}


def render(text: str, lang: str, *, field_ru: str | None = None) -> str:
    """``text`` (an English validation message) in ``lang``; unchanged in English or when no template matches.

    ``field_ru`` is the Russian description of the field a ``missing_value`` message names (the message
    carries the English one)."""
    if lang != "ru":
        return text
    found = parse_message(text)
    if found is None:
        return text
    mid, params = found
    params = {k: WORDS_RU.get(v, v) for k, v in params.items()}
    if mid == "missing_value" and field_ru:
        params["field"] = field_ru
    return MESSAGES_BY_ID[mid].ru.format(**params)
