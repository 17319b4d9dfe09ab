"""Names of the schema's tables, fields and codes, and of user roles, in the page's language.

The Russian of a record type, a field and an enumeration's codes is declared once, in the schema
(:mod:`importsub.model.schema`: ``label_ru``, ``description_ru``, ``choices_ru``); this module only picks the
page language's side.  A code stays the code in a form's ``value`` (what is submitted); its label is what
the page shows.  User roles are not records: their names are messages of the web catalogue.

Templates reach these as globals (:data:`GLOBALS`): ``table_title('sites')``, ``field_label(f)``,
``field_about(f)``, ``choice('projects', 'status', code)``, ``status_label(code)``, ``role_label(role)``,
``local_name(row)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from importsub.model.errors import Problem
from importsub.model.fields import Field
from importsub.model.messages import problem_text
from importsub.model.results import result_tables
from importsub.model.schema import TABLES, TABLES_BY_NAME
from importsub.web import i18n
from importsub.web.i18n import N_

ROLE_LABELS: Final[dict[str, str]] = {
    "viewer": N_("viewer (reads)"),
    "analyst": N_("analyst (edits own organisation's data)"),
    "programme": N_("programme (accepts contributions)"),
    "admin": N_("administrator"),
}
ROLE_NAMES: Final[dict[str, str]] = {
    "viewer": N_("viewer"),
    "analyst": N_("analyst"),
    "programme": N_("programme"),
    "admin": N_("administrator"),
}

# units of record fields that no result column has (those are in the catalogue already): listed for extraction
_UNITS = (N_("date"), N_("digits"), N_("fraction"), N_("points | %"), N_("probability"), N_("units/parent unit"))
_UNITS_TOO = (N_("weeks"), N_("year"))

#: what the audit log records (``accounts.audit(action=…)``), as the users page names it
AUDIT_ACTIONS: Final[dict[str, str]] = {
    a: a
    for a in (
        N_("analysis submitted"),
        N_("contribution accepted"),
        N_("contribution rejected"),
        N_("contribution submitted"),
        N_("dataset exported"),
        N_("dataset imported"),
        N_("dataset reverted"),
        N_("login failed"),
        N_("login"),
        N_("logout"),
        N_("password changed"),
        N_("password reset"),
        N_("records deleted"),
        N_("records written"),
        N_("result exported"),
        N_("scenario copied"),
        N_("scenario deleted"),
        N_("scenario written"),
        N_("token created"),
        N_("token revoked"),
        N_("tokens revoked"),
        N_("user activated"),
        N_("user changed"),
        N_("user created"),
        N_("user deleted"),
    )
}


def audit_action(action: str) -> str:
    """An audit log action in the page language (an unknown one as it is)."""
    return i18n.gettext(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


#: units of quantity of parts (``parts.unit``, free text): the common ones are shown translated
_QUANTITY_UNITS = (N_("pcs"), N_("kg"), N_("set"), N_("pair"))


def quantity_unit(code: Any) -> str:
    """A part's unit of quantity (``pcs``) in the page language (an uncommon one as it is)."""
    return i18n.gettext(str(code)) if code in _QUANTITY_UNITS else ("" if code is None else str(code))


def analysis_title(analyses: Mapping[str, Any], kind: str) -> str:
    """An analysis kind (``shock``, ``compliance``, …) by its title in the page language; ``analyses`` is the
    app's registry (``request.app.state.analyses``)."""
    spec = analyses.get(kind)
    return i18n.gettext(spec.title) if spec is not None else kind


def job_params(analyses: Mapping[str, Any], kind: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A run's parameters, (label, value) in the page language, by its analysis' declaration
    (``AnalysisSpec.describe``); an unknown kind lists names and values as they are."""
    spec = analyses.get(kind)
    if spec is None:
        return [(k, str(v)) for k, v in sorted(params.items()) if v is not None]
    return list(spec.describe(params))


def result_heading(kind: str, name: str) -> str:
    """A result table's name in the page language (its declared ``label_ru`` on Russian pages); an
    undeclared table by its name."""
    rt = result_tables().get((kind, name))
    return rt.heading(i18n.current_language()) if rt is not None else name


def table_title(name: str) -> str:
    """The record type ``name`` as a page names it (its label in the page language)."""
    rt = TABLES_BY_NAME.get(name)
    return rt.title(i18n.current_language()) if rt else name


def table_titles() -> dict[str, str]:
    """Every record type's title in the page language, by table name."""
    lang = i18n.current_language()
    return {rt.name: rt.title(lang) for rt in TABLES}


def table_about(name: str) -> str:
    rt = TABLES_BY_NAME.get(name)
    return rt.about(i18n.current_language()) if rt else ""


def field_label(f: Field) -> str:
    """A field's column header: its Russian label on Russian pages, else its name (the import header)."""
    return f.label(i18n.current_language())


def field_about(f: Field) -> str:
    return f.about(i18n.current_language())


def unit_label(f: Field) -> str:
    """A field's unit in the page language (``weeks`` → ``нед.``); empty without a unit."""
    return i18n.gettext(f.unit) if f.unit else ""


def choice(table: str, field: str, code: Any) -> str:
    """An enumeration code of ``table.field`` as the page shows it (the code on English pages)."""
    if code is None:
        return ""
    rt = TABLES_BY_NAME.get(table)
    if rt is None or field not in rt.field_names:
        return str(code)
    return rt.field(field).choice_label(str(code), i18n.current_language())


def status_label(code: Any) -> str:
    """A project status (``planned``, ``ramp-up``, …) in the page language."""
    return choice("projects", "status", code)


#: the states of a programme milestone (analysis/programme.py ``state``)
_MILESTONE_STATES = (N_("done on time"), N_("done late"), N_("overdue"), N_("open"))


def milestone_state(code: Any) -> str:
    """A milestone's state (``done on time``, ``overdue``, …) in the page language (another value as it is)."""
    return i18n.gettext(str(code)) if code in _MILESTONE_STATES else ("" if code is None else str(code))


def role_label(role: str) -> str:
    """A user role with what it may do (the users page)."""
    return i18n.gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def role_name(role: str) -> str:
    """A user role in one word (the account page, the header)."""
    return i18n.gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def local_name(row: Mapping[str, Any], *, key: str = "name") -> str:
    """A record's name on the page: ``name_local`` on Russian pages where present, else ``name`` (else its id)."""
    if i18n.current_language() == "ru" and row.get("name_local"):
        return str(row["name_local"])
    return str(row.get(key) or row.get("id") or "")


def problem_message(p: Problem | Mapping[str, Any]) -> str:
    """A validation problem's message in the page language, rendered from its message id and parameters
    (:func:`importsub.model.messages.problem_text`); where it is (file, sheet, row, column) is shown beside it,
    from the problem's own fields (a stored contribution's problems are mappings of the same fields)."""
    return problem_text(p, i18n.current_language())


GLOBALS: Final[dict[str, Any]] = {
    "table_title": table_title,
    "result_heading": result_heading,
    "milestone_state": milestone_state,
    "table_about": table_about,
    "field_label": field_label,
    "field_about": field_about,
    "unit_label": unit_label,
    "quantity_unit": quantity_unit,
    "choice": choice,
    "status_label": status_label,
    "role_label": role_label,
    "audit_action": audit_action,
    "analysis_title": analysis_title,
    "job_params": job_params,
    "role_name": role_name,
    "local_name": local_name,
    "problem_message": problem_message,
}
