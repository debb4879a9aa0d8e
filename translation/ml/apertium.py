"""Apertium, the rule-based fallback when no Marian model is installed.

One long-lived pipeline per direction: the installed mode's programs run with -z
(null-flush), so each message is written followed by NUL and its translation read up to
the NUL that comes back. Starting the pipeline costs about a second; a message then
takes milliseconds. Calls are serialised; a pipeline that died is started again.
"""

import os
import re
import select
import shutil
import subprocess
import threading
import time
import weakref
from pathlib import Path

from .protect import EMOJI_OR_MENTION

MODE_DIRS = (Path("/usr/share/apertium/modes"), Path("/usr/local/share/apertium/modes"))
# Characters the Apertium stream format gives a meaning to; escaped in the input.
_RESERVED = re.compile(r"([\\\[\]^$/@<>{}*#])")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
# Post-generation consumes "~" even when escaped; it travels as an unknown word instead.
_TILDE = "__T__"
# Two blanks or more between words.
_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")
# A sentence: up to a run of . ! ? … (closing quotes or brackets after it) that ends the
# text or comes before a blank, or up to the end of its line: "3.5" and "a?b=1" end none.
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?…]+[\"'»”)\]]*(?=\s|\Z)|(?=\n)|\Z)")
_ENDS = re.compile(r"([.!?…]+)[\"'»”)\]]*\s*\Z")
_OPENS = re.compile(r"\s*[\"'«“(\[]*")
# ...and the emoji and @mentions before its first word: "😀 ¿Es para venta?", "@ana ¿vienes?",
# but "¿3 personas?", "¡#Madrid es bonito!".
_BEFORE_WORDS = re.compile(rf"(?:\s|[\"'«“(\[]|{EMOJI_OR_MENTION})*")
_PAIRS = {'"': '"', "'": "'", "»": "«", "”": "“", ")": "(", "]": "["}


def spanish_opening_marks(text: str) -> str:
    """`text` with ¿ or ¡ opening each sentence that ends in ? or ! and has none: Spanish
    opens a question and an exclamation, and Apertium's generator leaves them out ("Is it
    still for sale?" -> "Es todavía para venta?")."""

    def opened(match: re.Match[str]) -> str:
        sentence = match.group(0)
        end = _ENDS.search(sentence)
        if end is None:
            return sentence
        mark = "¿" if "?" in end.group(1) else "¡" if "!" in end.group(1) else ""
        if not mark:
            return sentence
        start = _BEFORE_WORDS.match(sentence).end()  # type: ignore[union-attr]  # matches anything
        if start >= end.start(1):  # "¡😀!": nothing after them but the marks
            start = _OPENS.match(sentence).end()  # type: ignore[union-attr]
        closing = sentence[end.end(1) :].strip()
        if closing:  # a quote's question: 'Dice "¿en serio?"', where its quote opens
            quoted = sentence.rfind(_PAIRS[closing[0]], 0, end.start(1))
            start = quoted + 1 if quoted >= 0 else start
        if mark in sentence[start:]:
            return sentence
        return sentence[:start] + mark + sentence[start:]

    return _SENTENCE.sub(opened, text)


class ApertiumError(RuntimeError):
    """The pipeline died or did not answer in time."""


def mode_file(pair: str) -> Path | None:
    for folder in MODE_DIRS:
        if (folder / f"{pair}.mode").is_file():
            return folder / f"{pair}.mode"
    return None


def apertium_installed(pair: str) -> bool:
    return shutil.which("lt-proc") is not None and mode_file(pair) is not None


def pipeline_command(mode: str) -> str:
    """The mode file's shell pipeline with null-flush on every program.

    $1 is the generator's option (-n: no unknown-word marks), $2 the tagger's (none)."""
    stages = []
    for stage in mode.strip().split("|"):
        program, _, arguments = stage.strip().partition(" ")
        stages.append(f"{program} -z {arguments}".strip())
    return " | ".join(stages).replace("$1", "-n").replace("$2", "")


class ApertiumEngine:
    name = "apertium"

    def __init__(self, pair: str, *, timeout_s: float = 30.0) -> None:
        path = mode_file(pair)
        if path is None:
            raise FileNotFoundError(f"Apertium mode {pair} is not installed")
        self.pair = pair
        self.model_id = f"apertium-{pair}"
        self.timeout_s = timeout_s
        self._command = pipeline_command(path.read_text(encoding="utf-8"))
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def translate(self, texts: list[str]) -> list[str]:
        with self._lock:
            return [self._translate_one(text) for text in texts]

    def close(self) -> None:
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    def _translate_one(self, text: str) -> str:
        if not text.strip():
            return text
        # NUL ends a message; a blank before it lets the last word and its full stop out.
        message = _RESERVED.sub(r"\\\1", text.replace("\0", " ").replace("~", _TILDE)) + " \0"
        try:
            answer = self._exchange(message)
        except (OSError, ApertiumError):
            self._stop()  # a dead or stuck pipeline: one fresh start, then give up
            answer = self._exchange(message)
        # A word with nothing to translate to ("I" before a Spanish verb) leaves the blanks
        # on either side of it: "Puede  lo elijo". Unless the writer left such gaps too,
        # each is one blank.
        return answer if _GAP.search(text) else _GAP.sub(" ", answer)

    def finish(self, text: str) -> str:
        """A translation with its protected spans put back, as the writer of the target
        language would have it: Spanish opens its questions and exclamations
        (spanish_opening_marks), knowing then which span is an emoji and which a number."""
        return spanish_opening_marks(text) if self.pair.endswith("-spa") else text

    def _exchange(self, message: str) -> str:
        process = self._running()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(message.encode("utf-8"))
        process.stdin.flush()
        answer = b""
        deadline = time.monotonic() + self.timeout_s
        while not answer.endswith(b"\0"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([process.stdout], [], [], max(left, 0))
            if not ready:
                raise ApertiumError(f"apertium {self.pair} did not answer in {self.timeout_s} s")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise ApertiumError(f"apertium {self.pair} exited with {process.poll()}")
            answer += chunk
        return _ESCAPED.sub(r"\1", answer[:-1].decode("utf-8")).replace(_TILDE, "~").strip()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            # The installed mode file is a shell pipeline; bash runs it as the apertium script would.
            self._process = subprocess.Popen(  # noqa: S603
                ["bash", "-c", self._command],  # noqa: S607
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            # The pipeline goes with the engine, or at exit: finalize runs before module
            # teardown, where a __del__ found `os` already gone.
            weakref.finalize(self, _kill_group, self._process)
        return self._process

    def _stop(self) -> None:
        if self._process is not None:
            _kill_group(self._process)
            self._process = None


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    """Kill a pipeline (bash and every stage it started) and reap it."""
    if process.poll() is None:
        os.killpg(process.pid, 9)
    process.wait()
