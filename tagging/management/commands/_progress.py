"""A tqdm progress bar per stage, for the tagging commands."""

from typing import Any

from tqdm import tqdm


class ProgressBars:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=self.stream, leave=True)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
