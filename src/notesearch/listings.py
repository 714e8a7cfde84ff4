"""What the link and tag commands list: tags with counts, the tag tree, links where they stand.

Frozen, slotted records (:mod:`.records`) with no third-party imports (like :mod:`.models`).
"""

from __future__ import annotations

from .models import Link
from .records import record


@record
class TagCount:
    """A tag with the number of notes and sections that carry it."""

    name: str
    notes: int
    sections: int


@record
class LinkRef:
    """A link together with where it stands: note, section and line."""

    source: str
    heading: str
    breadcrumb: tuple[str, ...]
    link: Link
    reason: str | None = None  # why it is broken, for broken links

    @property
    def target(self) -> str:
        return self.link.raw

    def to_dict(self) -> dict[str, object]:
        record: dict[str, object] = {
            "source": self.source,
            "line": self.link.line,
            "target": self.link.raw,
            "kind": self.link.kind,
            "path": self.link.path,
            "anchor": self.link.anchor,
            "exists": self.link.exists,
            "outside": self.link.outside,
            "heading": self.heading,
            "breadcrumb": list(self.breadcrumb),
        }
        if self.reason is not None:
            record["reason"] = self.reason
        return record


@record
class TagNode:
    """A tag in the nested tree; counts include the tags below it."""

    name: str  # full name, e.g. aws/s3
    label: str  # last part, e.g. s3
    depth: int
    notes: int
    sections: int
