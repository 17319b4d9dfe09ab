"""Rebuild the catalogues: extract messages, fill Russian from ``ru_messages.py``, compile ``.mo``.

Run from the repository root: ``python src/importsub/web/locale/build.py``.
Fails when a message has no Russian translation, so no page is left half English.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
WEB = HERE.parent
sys.path.insert(0, str(HERE))

from ru_messages import PLURAL, SINGULAR  # noqa: E402


def main() -> int:
    pot = HERE / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(WEB / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            str(WEB),
        ],
        check=True,
        capture_output=True,
    )
    missing = []
    for lang in ("en", "ru"):
        with pot.open("rb") as f:
            catalog = read_po(f, locale=lang)
        catalog.project = "importsub"
        for message in catalog:
            if not message.id:
                continue
            if lang == "en":
                message.string = (
                    message.id
                    if not message.pluralizable
                    else tuple(message.id[i] if i < 2 else message.id[1] for i in range(catalog.num_plurals))
                )
                continue
            if message.pluralizable:
                key = (message.id[0], message.id[1])
                if key not in PLURAL:
                    missing.append(key[0])
                    continue
                message.string = PLURAL[key]
            else:
                if message.id not in SINGULAR:
                    missing.append(str(message.id))
                    continue
                message.string = SINGULAR[message.id]
            if "python-format" not in message.flags and "%(" in (
                message.id if isinstance(message.id, str) else message.id[0]
            ):
                message.flags.add("python-format")
        out = HERE / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "messages.po").open("wb") as f:
            write_po(f, catalog, width=120, omit_header=False, no_location=True)
        with (out / "messages.mo").open("wb") as f:
            write_mo(f, catalog)
    pot.unlink()
    if missing:
        print("no Russian translation for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
