"""The upload area: files sent from the web page, kept content-addressed under the data dir.

An uploaded document's identity is "upload:" + the name it was uploaded with, so uploading the
same name again is a new version of it. The bytes live once per content under
`originals/<sha256[:2]>/<sha256><suffix>`; the name people know stays in the catalog.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from pathlib import Path

from core.errors import InputFileError

UPLOAD_SOURCE = "upload:"
MAX_NAME_CHARS = 180
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_upload_name(raw: str) -> str:
    """The file name to keep for an upload: the last path part (a browser or client may send
    '../../x.docx', 'C:\\fakepath\\x.docx' or an absolute path), NFC, without control or
    reserved characters. Raises InputFileError when nothing usable is left."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).strip().strip(".")
    if "." in name:
        stem, suffix = name.rsplit(".", 1)
        name = f"{stem[:MAX_NAME_CHARS]}.{suffix[:10]}"
    if not name or name in {".", ".."} or not name.strip("."):
        raise InputFileError(Path(str(raw or "?")[:80]), "tên tệp không hợp lệ / invalid file name",
                             "đổi tên tệp (chỉ chữ, số, dấu gạch) rồi tải lên lại / rename the file and upload again")
    return name


def upload_source(name: str) -> str:
    return UPLOAD_SOURCE + name


def is_upload(source: str) -> bool:
    return source.startswith(UPLOAD_SOURCE)




class UploadArea:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "originals"
        self.staging = Path(data_dir) / "uploads-staging"

    def stage(self, path: Path, name: str) -> Path:
        """A private copy named as uploaded, so every message about it names the user's file."""
        folder = self.staging / uuid.uuid4().hex
        folder.mkdir(parents=True)
        target = folder / name
        shutil.copyfile(path, target)
        return target

    def discard(self, staged: Path) -> None:
        shutil.rmtree(staged.parent, ignore_errors=True)

    def path_for(self, content_hash: str, name: str) -> Path:
        return self.root / content_hash[:2] / f"{content_hash}{Path(name).suffix.lower()}"

    def keep(self, staged: Path, content_hash: str) -> Path:
        """Move a staged file into the content-addressed store (once per content)."""
        target = self.path_for(content_hash, staged.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            self.discard(staged)
        else:
            shutil.move(str(staged), target)
            shutil.rmtree(staged.parent, ignore_errors=True)
        return target

    def forget(self, content_hash: str, name: str) -> None:
        self.path_for(content_hash, name).unlink(missing_ok=True)

    def forget_all_but(self, wanted: set[Path]) -> None:
        """Delete kept files that no document uses (left by a crash between keep and catalog)."""
        if self.root.is_dir():
            for path in self.root.glob("*/*"):
                if path.is_file() and path not in wanted:
                    path.unlink(missing_ok=True)

    def clean_staging(self, older_than_s: float = 3600) -> None:
        """Leftovers of uploads interrupted by a crash (not those another worker is loading now)."""
        import time

        if self.staging.is_dir():
            for folder in self.staging.iterdir():
                if time.time() - folder.stat().st_mtime > older_than_s:
                    shutil.rmtree(folder, ignore_errors=True)
