"""Reading the project's text data files (user dictionary, synonyms), with errors that name them."""

from __future__ import annotations

from pathlib import Path

from indexer.errors import GovSearchError


def read_data_file(path: Path, what: str) -> str:
    """The UTF-8 text of ``path`` (a BOM is dropped).

    :param what: what the file is, for messages, e.g. ``"synonyms file"``.
    :raises GovSearchError: naming the file when it is missing, unreadable or not UTF-8.
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GovSearchError(f"{path}: {what} not found") from None
    except UnicodeDecodeError as exc:
        raise GovSearchError(f"{path}: {what} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise GovSearchError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
