"""Copy files kept on local disk into the configured storage (`manage.py media_to_storage`):
uploads from MEDIA_ROOT into the bucket, and whatever else other apps register.

Idempotent and resumable: a file already stored with its local size is skipped, so a run
that stopped halfway starts again where it was. Every copy is checked by reading its size
back from the storage. Nothing local is deleted: remove MEDIA_ROOT once the pages show
every photo from the bucket.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage


class TransferError(Exception):
    """A copy that the storage did not keep whole; `detail` says which."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Transfer:
    """Every file under `source` to `target`, under the same relative name."""

    label: str
    source: Path
    target: Storage
    skip: Callable[[str], bool] = lambda name: False
    # Run after every file is in place (a model version's manifest goes last).
    finish: Callable[[], object] = lambda: None


@dataclass
class TransferReport:
    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0
    labels: list[str] = field(default_factory=list)


# More transfers, each made when the command runs; None when it has nothing to copy.
# Listeners: tagging/apps.py (model versions and cached embeddings from MODELS_DIR).
storage_transfers: list[Callable[[], Transfer | None]] = []

Progress = Callable[[str, int, int], object]  # (label, files done, files in all)


def _same_folder(source: Path, target: Storage) -> bool:
    return isinstance(target, FileSystemStorage) and Path(target.location) == source.resolve()


def media_transfers() -> list[Transfer]:
    """Uploads, then every registered transfer; ones whose target is their own source
    folder (no bucket configured) are left out."""
    transfers = [Transfer("media", Path(settings.MEDIA_ROOT), default_storage)]
    transfers += [t for make in storage_transfers if (t := make()) is not None]
    return [t for t in transfers if not _same_folder(t.source, t.target)]


def transfer_run(*, transfer: Transfer, progress: Progress, report: TransferReport) -> None:
    """Copy `transfer`'s files not stored yet with their size. Raises TransferError."""
    names = sorted(
        p.relative_to(transfer.source).as_posix() for p in transfer.source.rglob("*") if p.is_file()
    )
    names = [n for n in names if not transfer.skip(n) and not n.endswith(".part")]
    report.labels.append(transfer.label)
    progress(transfer.label, 0, len(names))
    for done, name in enumerate(names, start=1):
        path = transfer.source / name
        size = path.stat().st_size
        if transfer.target.exists(name) and transfer.target.size(name) == size:
            report.skipped += 1
        else:
            _copy(path, name, size, transfer.target)
            report.copied += 1
            report.bytes_copied += size
        progress(transfer.label, done, len(names))
    transfer.finish()


def _copy(path: Path, name: str, size: int, target: Storage) -> None:
    target.delete(name)  # a torn copy from a stopped run: replace it under the same name
    with path.open("rb") as file:
        stored = target.save(name, File(file))
    if stored != name:
        raise TransferError(f"{name} was stored as {stored}; another process is writing the same names.")
    if target.size(name) != size:
        target.delete(name)
        raise TransferError(
            f"{name}: the storage kept a different size than the local {size} bytes; run again."
        )


def media_to_storage(*, progress: Progress = lambda label, done, total: None) -> TransferReport:
    """Copy local uploads (and registered artefacts) into the configured storage. Returns
    what was copied and skipped. Raises TransferError; ValueError when no storage other
    than the local folders is configured."""
    transfers = media_transfers()
    if not transfers:
        raise ValueError(
            "Nothing to copy to: set AWS_STORAGE_BUCKET_NAME (and the other AWS_* settings) "
            "so that files are stored in a bucket, then run this again."
        )
    report = TransferReport()
    for transfer in transfers:
        transfer_run(transfer=transfer, progress=progress, report=report)
    return report
