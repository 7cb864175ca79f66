"""A clean training corpus that works out of the box: real scores, rendered.

A denoiser learns what music is from its clean examples, so they need real musical
structure (voice leading, cadences, phrases) and real timbres, which synthetic tones
lack. music21 ships a corpus of public-domain scores (Bach chorales, Haydn, Mozart and
Beethoven quartets, Monteverdi madrigals, Joplin, Chopin, Schubert). :func:`render_corpus`
plays a fixed selection of them through FluidSynth with a General MIDI soundfont, each
piece on an ensemble of its own — piano, strings, brass, winds, choir, plucked, a
dance band — and adds a seeded drum kit to some for percussive transients.

Rendering is deterministic: FluidSynth's reverb and chorus are switched off (they are
not reproducible from run to run) and the file is rendered in float, without dither;
a short room is added here from a seeded impulse response instead. Each rendered piece
is cached as FLAC under a name that records everything it depends on (piece, ensemble,
rate, soundfont, renderer version), so a second call reads it back.

The split is by piece, fixed in :data:`PIECES`: the held-out pieces are never given to
training, so a benchmark on them measures music the model has not heard.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from restorekit.errors import ParameterError
from restorekit.train.midi import DRUM_CHANNEL, Note, drum_part, write_midi

__all__ = ["PIECES", "ENSEMBLES", "Piece", "render_corpus", "find_soundfont",
           "RENDER_VERSION"]

RENDER_VERSION = 1
#: General MIDI programs (0-based) of each ensemble, top part first; parts past the end
#: take the last program.
ENSEMBLES: dict[str, tuple[int, ...]] = {
    "piano": (0,),
    "strings": (40, 40, 41, 42, 43),       # violins, viola, cello, contrabass
    "brass": (56, 56, 60, 57, 58),         # trumpets, horn, trombone, tuba
    "winds": (73, 68, 71, 70),             # flute, oboe, clarinet, bassoon
    "choir": (52, 53, 52, 52, 52),         # choir aahs, voice oohs
    "plucked": (24, 46, 105, 32),          # nylon guitar, harp, banjo, acoustic bass
    "dance_band": (71, 56, 57, 0, 58),     # clarinet, trumpet, trombone, piano, tuba
    "organ": (19,),
}
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2",
              "/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/soundfonts/default.sf2")


@dataclass(frozen=True)
class Piece:
    """One score of the corpus and how it is played."""

    score: str         # a music21 corpus name
    ensemble: str
    bpm: float
    drums: bool = False
    held_out: bool = False

    @property
    def name(self) -> str:
        stem = self.score.replace("/", "_").replace(".", "-")
        return f"{stem}__{self.ensemble}{'_drums' if self.drums else ''}"


def _p(score, ensemble, bpm, drums=False, held_out=False) -> Piece:
    return Piece(score, ensemble, bpm, drums, held_out)


#: The corpus. Every ensemble appears in training and in the held-out set.
PIECES: tuple[Piece, ...] = (
    _p("bach/bwv66.6", "choir", 72), _p("bach/bwv1.6", "brass", 84),
    _p("bach/bwv10.7", "strings", 76), _p("bach/bwv101.7", "winds", 80),
    _p("bach/bwv102.7", "organ", 70), _p("bach/bwv103.6", "plucked", 90, drums=True),
    _p("bach/bwv104.6", "choir", 66), _p("bach/bwv108.6", "brass", 96, drums=True),
    _p("bach/bwv11.6", "strings", 88), _p("bach/bwv110.7", "winds", 72),
    _p("bach/bwv111.6", "dance_band", 120, drums=True), _p("bach/bwv113.8", "piano", 92),
    _p("bach/bwv114.7", "choir", 60), _p("bach/bwv115.6", "strings", 70),
    _p("bach/bwv116.6", "brass", 78), _p("bach/bwv117.4", "plucked", 100),
    _p("bach/bwv119.9", "winds", 86, drums=True), _p("bach/bwv12.7", "piano", 72),
    _p("mozart/k80/movement1", "strings", 92), _p("mozart/k80/movement3", "winds", 120),
    _p("mozart/k155/movement1", "strings", 132), _p("mozart/k156/movement1", "brass", 120),
    _p("mozart/k458/movement1", "strings", 138),
    _p("haydn/opus74no1/movement1", "strings", 120),
    _p("haydn/opus1no1/movement1", "winds", 110),
    _p("beethoven/opus18no1/movement1", "strings", 150),
    _p("joplin/maple_leaf_rag", "piano", 96),
    _p("joplin/maple_leaf_rag", "dance_band", 96, drums=True),
    _p("monteverdi/madrigal.3.1", "choir", 80), _p("monteverdi/madrigal.3.2", "choir", 84),
    _p("palestrina/Agnus_01", "choir", 90), _p("chopin/mazurka06-2", "piano", 120),
    _p("schubert/lindenbaum", "piano", 80),
    # held out: one piece of each ensemble, never given to training
    _p("bach/bwv120.6", "choir", 70, held_out=True),
    _p("bach/bwv121.6", "brass", 90, drums=True, held_out=True),
    _p("mozart/k80/movement2", "strings", 80, held_out=True),
    _p("bach/bwv122.6", "winds", 84, held_out=True),
    _p("bach/bwv123.6", "plucked", 96, drums=True, held_out=True),
    _p("haydn/opus74no1/movement3", "dance_band", 132, drums=True, held_out=True),
    _p("bach/bwv124.6", "organ", 76, held_out=True),
    _p("mozart/k156/movement2", "piano", 84, held_out=True),
)


def find_soundfont(soundfont: str | Path | None = None) -> Path:
    """The General MIDI soundfont to render with: the one given, or a Debian one."""
    if soundfont is not None:
        path = Path(soundfont)
        if not path.is_file():
            raise ParameterError(f"soundfont {path} does not exist; give a .sf2 file.")
        return path
    for candidate in SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ParameterError("no General MIDI soundfont found; install one "
                         "('apt-get install fluid-soundfont-gm') or pass soundfont=.")


def _notes(piece: Piece, *, seconds: float) -> tuple[list[Note], dict[int, int], float]:
    """The notes of ``piece`` up to ``seconds``, their channels' programs, and its length."""
    from music21 import corpus

    score = corpus.parse(piece.score)
    beats = seconds * piece.bpm / 60
    programs_of = ENSEMBLES[piece.ensemble]
    notes, programs, end = [], {}, 0.0
    channels = [c for c in range(16) if c != DRUM_CHANNEL]
    for index, part in enumerate(score.parts):
        channel = channels[index % len(channels)]
        programs[channel] = programs_of[min(index, len(programs_of) - 1)]
        for item in part.flatten().notes:
            start = float(item.offset)
            if start >= beats:
                break
            length = min(float(item.quarterLength), beats - start)
            if length <= 0:
                continue
            velocity = item.volume.velocity or 80
            for pitch in item.pitches:
                notes.append(Note(start, length, int(pitch.midi), int(velocity), channel))
            end = max(end, start + length)
    return notes, programs, end


def _room(sample_rate: int, *, rng: np.random.Generator) -> np.ndarray:
    """A small room's impulse response: a direct path and 0.4 s of decaying noise."""
    n = int(0.4 * sample_rate)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / 0.35) * 0.08
    tail[: int(0.008 * sample_rate)] = 0.0  # the first reflection arrives after 8 ms
    tail[0] = 1.0
    return tail


def _render_one(piece: Piece, path: Path, *, sample_rate: int, seconds: float,
                soundfont: Path) -> None:
    notes, programs, end = _notes(piece, seconds=seconds)
    if not notes:
        raise ParameterError(f"the score {piece.score} has no notes to render.")
    seed = int(hashlib.sha256(piece.name.encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    if piece.drums:
        notes += drum_part(end, rng=rng, swing=0.3 if piece.ensemble == "dance_band" else 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        midi, wav = Path(tmp) / "piece.mid", Path(tmp) / "piece.wav"
        write_midi(midi, notes, programs=programs, bpm=piece.bpm)
        subprocess.run(["fluidsynth", "-ni", "-q", "-r", str(sample_rate),
                        "-o", "synth.reverb.active=0", "-o", "synth.chorus.active=0",
                        "-o", "audio.file.format=float", "-g", "0.6",
                        "-F", str(wav), "-T", "wav", str(soundfont), str(midi)],
                       check=True, capture_output=True, timeout=600)
        music, rate = sf.read(wav, dtype="float64", always_2d=True)
    music = music.mean(axis=1)  # 78s are mono; the synth's panning says nothing here
    music = np.convolve(music, _room(sample_rate, rng=rng))[: len(music)]
    peak = np.max(np.abs(music))
    if not peak > 0:
        raise ParameterError(f"the score {piece.score} rendered to silence.")
    music *= 10 ** (-3 / 20) / peak
    tmp_path = path.with_suffix(".tmp.flac")
    sf.write(tmp_path, music.astype(np.float32), sample_rate, subtype="PCM_24")
    tmp_path.replace(path)


def render_corpus(out_dir: str | Path, *, sample_rate: int = 22050, seconds: float = 45.0,
                  soundfont: str | Path | None = None, pieces=PIECES,
                  progress: bool = False) -> list[Path]:
    """Render the built-in corpus to ``out_dir`` (cached) and return the files.

    Parameters
    ----------
    out_dir : path
        Where the FLAC files and ``corpus.json`` (the manifest: piece, ensemble, split)
        go. Files already there with the same recipe are not rendered again.
    sample_rate : int
        Rate of the rendered files.
    seconds : float
        Longest excerpt taken from each score.
    soundfont : path, optional
        A General MIDI ``.sf2``; by default FluidR3_GM or TimGM6mb from Debian.
    pieces : sequence of Piece
        What to render (default :data:`PIECES`).
    progress : bool
        Show a progress bar.

    Returns
    -------
    list of Path
        One FLAC per piece, training pieces first. Held-out ones live in
        ``out_dir/heldout/`` so that a folder of training audio never includes them.
    """
    if shutil.which("fluidsynth") is None:
        raise ParameterError("the corpus needs FluidSynth: 'apt-get install fluidsynth "
                             "fluid-soundfont-gm', or train on a folder of your own audio.")
    if not 8000 <= sample_rate <= 96000:
        raise ParameterError(f"sample_rate must be 8000-96000 Hz, got {sample_rate!r}.")
    if not 1.0 <= seconds <= 600.0:
        raise ParameterError(f"seconds must be 1-600, got {seconds!r}.")
    sf2 = find_soundfont(soundfont)
    out = Path(out_dir)
    (out / "heldout").mkdir(parents=True, exist_ok=True)
    recipe = f"v{RENDER_VERSION}-{sample_rate}-{seconds:g}-{sf2.name}-{sf2.stat().st_size}"
    tag = hashlib.sha256(recipe.encode()).hexdigest()[:8]
    from tqdm.auto import tqdm

    paths, manifest = [], []
    for piece in tqdm(pieces, desc="rendering corpus", disable=not progress):
        path = out / ("heldout" if piece.held_out else ".") / f"{piece.name}-{tag}.flac"
        if not path.exists():
            _render_one(piece, path, sample_rate=sample_rate, seconds=seconds, soundfont=sf2)
        paths.append(path)
        manifest.append({"file": str(path.relative_to(out)), "score": piece.score,
                         "ensemble": piece.ensemble, "drums": piece.drums,
                         "bpm": piece.bpm, "split": "heldout" if piece.held_out else "train"})
    (out / "corpus.json").write_text(json.dumps({"recipe": recipe, "pieces": manifest},
                                                indent=1))
    return sorted(paths, key=lambda p: p.parent.name == "heldout")
