"""A person's own data (issue 12): export everything they wrote, or delete their account.

Exports are a registry: each domain registers what a person wrote there with `@exporter("name")`,
returning a `Section` (JSON-able data and the same in Markdown). The zip holds `<name>.json` and
`<name>.md` per section. A new domain (comments, moderation…) adds its own exporter in its own
package and imports it in `workspace/privacy/exporters.py`'s `load_domain_exporters`.
"""
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

EXPORTERS: dict[str, Callable] = {}


@dataclass
class Section:
    data: object
    markdown: str


def exporter(name: str):
    """Register `function(user) -> Section` as the export of one domain."""

    def register(function):
        assert name not in EXPORTERS, f"two exporters named {name}"
        EXPORTERS[name] = function
        return function

    return register


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def build_export(user) -> bytes:
    """The zip of every registered section for `user`: JSON for machines, Markdown for people."""
    from workspace.privacy import exporters
    exporters.load_domain_exporters()
    buffer = io.BytesIO()
    names = sorted(EXPORTERS)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", (
            f"# Your Convene data\n\nEverything you wrote in Convene, as of "
            f"{datetime.now().astimezone().strftime('%d %B %Y %H:%M %Z')}.\n"
            "Each part comes twice: `.json` for programs, `.md` to read.\n\n"
            + "".join(f"- `{name}.md` / `{name}.json`\n" for name in names)
            + "\nJoint-response text is written together and belongs to each joint response: "
              "this export lists the documents you wrote in, the versions you saved and the positions "
              "you recorded; export a document itself from its page.\n"))
        for name in names:
            section = EXPORTERS[name](user)
            archive.writestr(f"{name}.json", json.dumps(section.data, indent=2, ensure_ascii=False,
                                                        default=_json_default))
            archive.writestr(f"{name}.md", section.markdown)
    return buffer.getvalue()
