"""Copy local uploads (and model artefacts) into the configured bucket, with a progress
bar; safe to stop and run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from socialapp.storage_transfer import TransferError, media_to_storage


class Command(BaseCommand):
    help = (
        "Copy files from MEDIA_ROOT (and MODELS_DIR's model versions and cached embeddings) into the "
        "bucket named by AWS_STORAGE_BUCKET_NAME. Files already there with the same size are skipped."
    )

    def handle(self, *args: object, **options: object) -> None:
        bars: dict[str, Any] = {}

        def progress(label: str, done: int, total: int) -> None:
            bar = bars.get(label)
            if bar is None:
                bar = bars[label] = tqdm(total=total, desc=label, unit="file", file=self.stderr)
            bar.n = done
            bar.refresh()

        try:
            report = media_to_storage(progress=progress)
        except (TransferError, ValueError) as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            f"{report.copied} files copied ({report.bytes_copied / 1e6:.1f} MB), {report.skipped} already "
            f"there ({', '.join(report.labels)}); every copy's size checked."
        )
