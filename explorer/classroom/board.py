"""What the class board shows, as plain data: the class's drawings read by one network, the
confusion matrix (rows: the digit meant, columns: the digit read), the drawings that fooled it
(the most confident mistakes first), the ones it is unsure about, the error per digit, and the
ranking of the teacher's challenge. No Gradio and no HTML (that is :mod:`explorer.classroom.view`).

The readings are made here, in one batch per network, from the stored 28×28 fields: switching the
page to LeNet-1 or to the 1998-trained LeNet-5 re-reads the very drawings the class sent. Each
drawing is read once per network (:class:`Readings` keeps them), so a board that redraws after a
send reads only the new drawing.

Confidence is the calibrated probability of the answer (:mod:`lenet.reading`); "unsure" is the
page's own doubt (the two best scores closer than the network's gap). **Strangeness**, for the
"strangest 4 it still reads" challenge, is minus the answer's score: for LeNet-5 the squared
distance from F6 to the answer's prototype (section II-B, eq. 7: how far the drawing is from the
network's idea of that digit), for LeNet-1 minus its logit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from explorer.classroom.store import Drawing
from explorer.limits import Recent
from lenet.network import Network
from lenet.reading import probabilities

# Challenges a teacher can set: "fool": draw a <meant> that the network reads as <read>;
# "strange": draw the strangest <meant> that it still reads as <meant>.
KINDS = ("fool", "strange")
SHOWN = 12  # drawings per gallery on the board (the projector has room for one row of each)
READINGS_KEPT = 100_000  # readings remembered per network (≈ 50 full classes)


@dataclass(frozen=True)
class Read:
    """One drawing as one network reads it."""

    digit: int
    confidence: float  # the calibrated probability of ``digit``
    unsure: bool
    strangeness: float  # minus the answer's score: LeNet-5's squared distance to its prototype


def check_challenge(challenge) -> dict | None:
    """A challenge as the teacher sets it — ``{"kind": "fool", "meant": 7, "read": 1}`` or
    ``{"kind": "strange", "meant": 4}`` — checked, or None for no challenge. Raises ValueError."""
    if not challenge:
        return None
    kind = challenge.get("kind") if isinstance(challenge, dict) else None
    if kind not in KINDS:
        raise ValueError(f"A challenge is one of {', '.join(KINDS)}.")
    meant = challenge.get("meant")
    if not isinstance(meant, int) or not 0 <= meant <= 9:
        raise ValueError("A challenge needs the digit to draw, 0 to 9.")
    if kind == "strange":
        return {"kind": kind, "meant": meant}
    read = challenge.get("read")
    if not isinstance(read, int) or not 0 <= read <= 9 or read == meant:
        raise ValueError("Fooling needs another digit for the network to read, 0 to 9.")
    return {"kind": kind, "meant": meant, "read": read}


def challenge_text(challenge: dict | None, title: str) -> str:
    """The challenge in words: "Draw a 7 that LeNet-5 reads as a 1"."""
    if not challenge:
        return ""
    if challenge["kind"] == "fool":
        return f"Draw a {challenge['meant']} that {title} reads as a {challenge['read']}"
    return f"Draw the strangest {challenge['meant']} that {title} still reads as a {challenge['meant']}"


class Readings:
    """Every drawing's reading by each network, made once (in batches) and remembered by drawing id."""

    def __init__(self, kept: int = READINGS_KEPT):
        self.kept = kept
        self.by_network: dict[str, Recent] = {}

    def of(self, network: Network, drawings: Sequence[Drawing]) -> list[Read]:
        known = self.by_network.setdefault(network.name, Recent(self.kept))
        new = [d for d in drawings if d.id not in known]
        if new:
            for d, r in zip(new, read_fields(network, np.stack([d.field for d in new])), strict=True):
                known[d.id] = r
        return [known[d.id] for d in drawings]


@torch.no_grad()
def read_fields(network: Network, fields: np.ndarray) -> list[Read]:
    """Read a batch of 28×28 fields (N, 28, 28), float32 ink in [0, 1], as the page reads one:
    the best score, its calibrated probability, doubt and strangeness."""
    out = []
    for start in range(0, len(fields), 500):
        x = torch.from_numpy(np.ascontiguousarray(fields[start : start + 500], dtype=np.float32))[:, None]
        scores = network.net(x).numpy()  # (B, 10), larger = more likely
        for s in scores:
            top, second = np.argsort(-s, kind="stable")[:2]
            p = probabilities(s, network.temperature)
            out.append(Read(int(top), float(p[top]), bool(s[top] - s[second] < network.unsure_gap), float(-s[top])))
    return out


@dataclass(frozen=True)
class Entry:
    drawing: Drawing
    read: Read


@dataclass(frozen=True)
class Summary:
    """The board of one class for one network."""

    network: Network
    entries: list[Entry]  # every drawing shown (not hidden), in the order sent
    confusion: np.ndarray  # int (10, 10): rows meant, columns read
    fooled: list[Entry]  # read as another digit, most confident first
    unsure: list[Entry]  # unsure, whatever it read; the least sure first
    challenge: dict | None
    ranked: list[Entry]  # the challenge's entries, best first

    @property
    def count(self) -> int:
        return len(self.entries)

    def errors(self) -> list[tuple[int, int]]:
        """Per digit meant: (drawings read as another digit, drawings)."""
        return [(int(row.sum() - row[d]), int(row.sum())) for d, row in enumerate(self.confusion)]

    def cell(self, meant: int, read: int) -> list[Entry]:
        """The drawings meant ``meant`` and read ``read``, the most confident first."""
        found = [e for e in self.entries if e.drawing.meant == meant and e.read.digit == read]
        return sorted(found, key=lambda e: -e.read.confidence)

    def as_json(self, code: str) -> dict:
        """What ``/class_board`` answers first."""
        return {
            "code": code,
            "network": self.network.name,
            "drawings": self.count,
            "confusion": self.confusion.tolist(),
            "errors": [{"digit": d, "wrong": w, "drawings": n} for d, (w, n) in enumerate(self.errors())],
            "fooled": [_entry_json(e) for e in self.fooled[:SHOWN]],
            "unsure": [_entry_json(e) for e in self.unsure[:SHOWN]],
            "challenge": self.challenge,
            "ranking": [_entry_json(e) for e in self.ranked[:SHOWN]],
        }


def _entry_json(e: Entry) -> dict:
    return {"id": e.drawing.id, "meant": e.drawing.meant, "read": e.read.digit,
            "confidence": round(e.read.confidence, 4), "nickname": e.drawing.nickname}  # fmt: skip


def summarize(network: Network, drawings: Sequence[Drawing], reads: Sequence[Read], challenge: dict | None) -> Summary:
    """The board of ``drawings`` (shown ones) as ``network`` reads them (``reads``, one per drawing)."""
    entries = [Entry(d, r) for d, r in zip(drawings, reads, strict=True)]
    confusion = np.zeros((10, 10), dtype=np.int64)
    for e in entries:
        confusion[e.drawing.meant, e.read.digit] += 1
    fooled = sorted((e for e in entries if e.read.digit != e.drawing.meant), key=lambda e: -e.read.confidence)
    unsure = sorted((e for e in entries if e.read.unsure), key=lambda e: e.read.confidence)
    ranked: list[Entry] = []
    if challenge and challenge["kind"] == "fool":
        ranked = [e for e in entries if e.drawing.meant == challenge["meant"] and e.read.digit == challenge["read"]]
        ranked.sort(key=lambda e: -e.read.confidence)  # the surest fooling first
    elif challenge and challenge["kind"] == "strange":
        ranked = [e for e in entries if e.drawing.meant == challenge["meant"] == e.read.digit]
        ranked.sort(key=lambda e: -e.read.strangeness)  # the farthest from its prototype first
    return Summary(network, entries, confusion, fooled, unsure, challenge, ranked)


def csv_text(summary: Summary) -> str:
    """The board as CSV: one row per drawing shown — id, sent (UTC), nickname, meant, read, confidence, unsure."""
    import csv
    import io
    from datetime import UTC, datetime

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "sent_utc", "nickname", "meant", "read", "confidence", "unsure", "network"])
    for e in summary.entries:
        sent = datetime.fromtimestamp(e.drawing.sent, UTC).strftime("%Y-%m-%d %H:%M:%S")
        w.writerow([e.drawing.id, sent, e.drawing.nickname, e.drawing.meant, e.read.digit,
                    f"{e.read.confidence:.4f}", int(e.read.unsure), summary.network.name])  # fmt: skip
    return out.getvalue()
