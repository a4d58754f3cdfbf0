"""Plain data that flows from scanner/ (OCR) to exports/ (text layer) and the GUI.

Kept in forms/ so that neither scanner/ nor exports/ depends on the other.
Coordinates are image pixels, origin top-left, as Tesseract reports them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict


@dataclass
class OcrWord:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float          # 0..100, Tesseract's word confidence
    block: int = 0             # Tesseract block/paragraph/line numbers keep reading order
    par: int = 0
    line: int = 0


@dataclass
class OcrField:
    kind: str                  # e.g. "name", "id_number", "uscc", "birth_date"
    value: str
    valid: bool | None = None  # check digit passed (None when the kind has none)
    box: tuple[int, int, int, int] | None = None   # left, top, width, height
    corrected_from: str | None = None               # raw OCR text before a check-digit repair


@dataclass
class OcrPage:
    image_path: str            # the cleaned page image the words refer to
    width: int                 # pixels
    height: int
    dpi: int
    words: list[OcrWord] = field(default_factory=list)
    text: str = ""             # reading order, no spaces between Chinese characters
    confidence: float = 0.0    # mean word confidence, 0..100
    fields: list[OcrField] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blank: bool = False
    error: str | None = None   # Chinese message when the page could not be cleaned or read

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "OcrPage":
        data = dict(data)
        data["words"] = [OcrWord(**w) for w in data.get("words", [])]
        fields = []
        for f in data.get("fields", []):
            f = dict(f)
            if f.get("box") is not None:
                f["box"] = tuple(f["box"])
            fields.append(OcrField(**f))
        data["fields"] = fields
        return cls(**data)
