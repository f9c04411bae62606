"""Playing a card's [sound:...] files (mp3, ogg, wav, flac) with miniaudio.

Why miniaudio: one small C library with Python bindings (a 0.6 MB wheel, 1.8 MB installed,
plus cffi) that decodes mp3, ogg vorbis, wav and flac itself and plays them through the
system's audio API (WASAPI, Core Audio, PulseAudio/ALSA). QtMultimedia would need
PySide6-Addons: a 175 MB wheel, 438 MB installed, of which we would use one class.

Names are resolved like images (ui/safe_html.media_file: a regular file directly inside the
media folder, whatever the encoding of the name) and must start like an audio file we know.
Playback runs on miniaudio's own thread, fed by a generator; nothing here touches a widget.
A machine without a sound device plays nothing and says so once, instead of failing.

miniaudio is imported on the first sound played, not at start-up: with what it loads (cffi,
urllib.request, http, email) it holds 2 MB that a session without sounds never needs, and
takes 50 ms of the window's start.
"""

from __future__ import annotations

import array
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cehrs_cards.ui.safe_html import media_file

if TYPE_CHECKING:
    import miniaudio

SAMPLE_RATE, CHANNELS = 44_100, 2
DECODE_WHOLE_BYTES = 2 * 1024 * 1024  # files up to this size are decoded whole (exact end)


def audio_kind(head: bytes) -> str | None:
    """The audio format a file's first bytes announce (mp3, ogg, wav, flac), or None."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    return None


def sound_file(name: str, media_dir: Path) -> Path | None:
    """The media file a [sound:name] tag names, if it is safe to open and starts like audio."""
    path = media_file(name, media_dir)
    if path is None:
        return None
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError:
        return None
    return path if audio_kind(head) is not None else None


@dataclass
class Playback:
    """What one play() is doing: its files, the frames fed to the device so far, and whether
    it has run out (read by tests and by the replay key)."""

    files: list[Path]
    frames: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    failed: list[str] = field(default_factory=list)


class SoundPlayer:
    """Plays lists of media files one after another; a new list stops the one playing."""

    def __init__(
        self, media_dir: Path, backends: Sequence[miniaudio.Backend] | None = None
    ) -> None:
        self.media_dir = media_dir
        self.backends = list(backends) if backends else None
        self.device: miniaudio.PlaybackDevice | None = None
        self.unavailable: str | None = None  # why nothing can play (no device), once known
        self.current: Playback | None = None
        self.last: list[str] = []

    def play(self, names: Sequence[str]) -> Playback | None:
        """Play these [sound:] names in order (stopping whatever plays); unsafe or unknown
        names are skipped. None when there is nothing to play or no device."""
        self.stop()
        self.last = list(names)
        files = [p for p in (sound_file(n, self.media_dir) for n in names) if p is not None]
        if not files or not self._open():
            return None
        assert self.device is not None
        playback = Playback(files)
        feed = _feed(playback)
        next(feed)
        self.current = playback
        self.device.start(feed)
        return playback

    def replay(self) -> Playback | None:
        """The last list again (the R key)."""
        return self.play(self.last)

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop.set()
            self.current = None
        if self.device is not None and self.device.running:
            self.device.stop()

    def close(self) -> None:
        self.stop()
        if self.device is not None:
            self.device.close()
            self.device = None

    def _open(self) -> bool:
        if self.device is not None:
            return True
        if self.unavailable is not None:
            return False
        import miniaudio  # on the first sound (see the module doc)

        try:
            self.device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=CHANNELS,
                sample_rate=SAMPLE_RATE,
                backends=self.backends,
                app_name="CEHRS Cards",
            )
        except miniaudio.MiniaudioError as exc:
            self.unavailable = f"No sound device could be opened ({exc})."
            return False
        return True


def _feed(p: Playback) -> Generator[bytes, int, None]:
    """The device's callback generator: each file decoded in turn and handed over as many
    frames as the device asks for, then silence. A file that does not decode is skipped
    (named in p.failed)."""
    import miniaudio  # imported already by the device this feeds (SoundPlayer._open)

    frames = yield b""
    for path in p.files:
        try:
            chunks = _chunks(path)
            chunk = next(chunks)
        except (miniaudio.DecodeError, miniaudio.MiniaudioError, OSError, StopIteration):
            p.failed.append(path.name)
            continue
        while not p.stop.is_set():
            try:
                chunk = chunks.send(frames)
            except (StopIteration, miniaudio.DecodeError):
                break
            p.frames += len(chunk) // CHANNELS
            frames = yield chunk.tobytes()
    p.done.set()
    while True:
        frames = yield b"\0" * (frames * CHANNELS * 2)


def _chunks(path: Path) -> Generator[array.array[int], int, None]:
    """The file's samples, `frames` at a time as asked (send). A short file (most card sounds)
    is decoded whole: miniaudio's stream drops a file's last partial chunk; a long one is
    streamed, so memory stays small."""
    import miniaudio  # imported already by the device this feeds (SoundPlayer._open)

    fmt = miniaudio.SampleFormat.SIGNED16
    if path.stat().st_size > DECODE_WHOLE_BYTES:
        yield from miniaudio.stream_file(str(path), fmt, CHANNELS, SAMPLE_RATE)
        return
    samples = miniaudio.decode_file(str(path), fmt, CHANNELS, SAMPLE_RATE).samples
    frames = yield array.array("h")
    pos = 0
    while pos < len(samples):
        end = pos + max(1, frames or 1024) * CHANNELS
        frames = yield samples[pos:end]
        pos = end
