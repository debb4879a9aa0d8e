"""lt-proc (lttoolbox) over Apertium's compiled dictionaries: analyse, translate and
generate words in whole batches, one process per batch. Used by tagging.concepts_build."""

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path


def _run(command: list[str], text: str) -> str:
    """An lttoolbox program's output for `text` on its standard input. Raises
    CalledProcessError when it fails."""
    done = subprocess.run(  # noqa: S603 - a fixed program on our own input
        command,  # lttoolbox's lt-proc or lt-paradigm, found on PATH
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def lt_proc(flags: list[str], binary: Path, text: str) -> str:
    """lt-proc's output for `text` with `flags` (none: analyse, -b: translate, -g:
    generate) on a compiled dictionary. Raises CalledProcessError when it fails."""
    return _run(["lt-proc", *flags, str(binary)], text)


def paradigm_forms(patterns: Iterable[str], analyser: Path) -> set[str]:
    """The surface forms of every analysis an analyser has that matches one of `patterns`
    (lt-paradigm's: "*<det><*>" is any lemma with a determiner's tags): how a closed class
    of words is listed whole from a compiled dictionary. Raises CalledProcessError when
    lt-paradigm (lttoolbox-dev) fails."""
    output = _run(["lt-paradigm", "-a", str(analyser)], "".join(f"{pattern}\n" for pattern in patterns))
    return {line.rpartition(":")[2] for line in output.splitlines() if ":" in line}


def units(output: str) -> list[list[str]]:
    """`^src/a<n>/b<n>$ ...` -> [[src, a<n>, b<n>], ...] in input order."""
    return [unit.split("/") for unit in re.findall(r"\^(.*?)\$", output)]


def escape(word: str) -> str:
    return re.sub(r"([\^$/<>@#\\\[\]{}*])", r"\\\1", word)


def known_words(texts: Iterable[str], analyser: Path) -> dict[str, list[str]]:
    """Word -> its analyses ("gafas<n><f><pl>"), for the texts the analyser reads as one
    known word (a few multiword entries too: "gafas de sol")."""
    texts = sorted(set(texts))
    lines = lt_proc([], analyser, "\n".join(texts) + "\n").split("\n")[:-1]
    known = {}
    for text, line in zip(texts, lines, strict=True):
        found = units(line)
        if len(found) == 1 and len(found[0]) > 1 and not found[0][1].startswith("*"):
            known[text] = found[0][1:]
    return known


def word_split(text: str, known: dict[str, list[str]]) -> str:
    """`puentecolgante` -> "puente colgante": the one split into the fewest known words
    (then the fewest content words: "parque de atracciones", not "par quede ...") whose
    first word is a noun and none of whose words is only a verb form; "" when there is
    none or several."""
    best: dict[int, list[list[str]]] = {0: [[]]}
    for end in range(2, len(text) + 1):
        found = [
            [*split, text[start:end]]
            for start in range(end - 1)
            if start in best and text[start:end] in known
            for split in best[start]
        ]
        if found:
            fewest = min(map(len, found))
            best[end] = [split for split in found if len(split) == fewest]

    def fits(split: list[str]) -> bool:
        nouns = [r for r in known[split[0]] if "<n>" in r]
        verbs_only = any(all("<vb" in r for r in known[w]) for w in split)
        return len(split) > 1 and bool(nouns) and not verbs_only

    def content(split: list[str]) -> int:
        return sum(not all(re.search(r"<(pr|det)>", r) for r in known[w]) for w in split)

    splits = [split for split in best.get(len(text), []) if fits(split)]
    least = min(map(content, splits), default=0)
    chosen = [split for split in splits if content(split) == least]
    return " ".join(chosen[0]) if len(chosen) == 1 else ""


def plural_only(word: str, known: dict[str, list[str]]) -> bool:
    """Whether every noun reading of `word` is a plural (alicates, gafas, pliers), not a
    word that is the same in both numbers (lunes, lens)."""
    nouns = [r for r in known.get(word, []) if "<n>" in r]
    return bool(nouns) and all("<pl>" in r for r in nouns)
