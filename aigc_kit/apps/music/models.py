"""Two melody generators: a conditioned LSTM over note events and a VAE over melody windows.

**MelodyLSTM** (the RNN of chapter 3.2). At note ``t`` it reads the previous note (pitch
token, duration token) and two conditioning tokens, and predicts the next note's pitch and
duration (two softmax heads):

- ``countdown``: how many notes remain until the end of the current phrase (0 = this note
  ends it; :data:`MAX_COUNTDOWN` means that many or more). In the chorales a phrase is one
  line of the hymn text, one note per syllable, closed by a fermata; so a lyric's syllable
  counts become countdowns, and the model has learnt what a line ending (a cadence) sounds
  like.
- ``mode``: major (0) or minor (1), the key of the chorale (C major or A minor after
  transposition).

**MelodyVAE** (the latent model of chapter 3.2): an MLP encoder maps a window of
:data:`WINDOW` consecutive notes (one-hot pitch, duration and phrase-end per note) to a
16-D Gaussian latent code; a GRU decoder writes the window back note by note from the code
(as MusicVAE does). Sampling ``z ~ N(0, I)`` and decoding gives new windows; longer
melodies are windows laid end to end (with a seam every :data:`WINDOW` notes the model
never saw).

Both train with :func:`train_melody_lstm` / :func:`train_melody_vae`: AdamW with a cosine
learning rate and gradient clipping, run by the kit's training loop (a tqdm bar, a step and
wall-clock budget, and a NaN/Inf stop that restores the last good weights), returning
:class:`aigc_kit.training.TrainResult` like the kit's other loops.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.apps.music.corpus import DURATIONS, Melody, quantise_durations
from aigc_kit.models.contract import no_labels, prior_codes, reparameterize
from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.loop import Batches, RunConfig, Task, Trainer, TrainResult

MAX_COUNTDOWN = 8
WINDOW = 16
MODES = ("major", "minor")
N_DURATIONS = len(DURATIONS)


# --------------------------------------------------------------------------- encoding


def countdown(phrase_end: np.ndarray) -> np.ndarray:
    """Notes left until each note's phrase ends (0 on the phrase's last note), clipped.

    Parameters
    ----------
    phrase_end : np.ndarray, shape (n_notes,), bool

    Returns
    -------
    np.ndarray, shape (n_notes,), int in ``0 .. MAX_COUNTDOWN``
        Notes after a melody's last phrase end count towards the melody's end.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    ends = np.asarray(phrase_end, dtype=bool)
    out = np.zeros(len(ends), dtype=int)
    left = 0
    for i in range(len(ends) - 1, -1, -1):
        left = 0 if ends[i] or i == len(ends) - 1 else left + 1
        out[i] = min(left, MAX_COUNTDOWN)
    return out


def plan_from_phrase_lengths(lengths: Sequence[int]) -> np.ndarray:
    """The phrase-end flags of phrases of the given lengths in notes.

    ``[3, 2] -> [False, False, True, False, True]``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    lengths = [int(n) for n in lengths]
    if not lengths or min(lengths) < 1:
        raise ValueError(f"phrase lengths must be a non-empty list of positive note counts, "
                         f"got {lengths}")
    ends = np.zeros(sum(lengths), dtype=bool)
    ends[np.cumsum(lengths) - 1] = True
    return ends


def duration_tokens(quarters: np.ndarray) -> np.ndarray:
    """Index into :data:`aigc_kit.apps.music.corpus.DURATIONS` of each (snapped) duration."""
    q = quantise_durations(np.asarray(quarters, dtype=float))
    return np.searchsorted(np.asarray(DURATIONS), q)


def _check_range(melodies: Sequence[Melody], low: int, high: int) -> None:
    for m in melodies:
        if len(m) and (m.pitch.min() < low or m.pitch.max() > high):
            raise ValueError(f"melody {m.name!r} has pitches {m.pitch.min()}..{m.pitch.max()} "
                             f"outside the model's range {low}..{high}; build the model with "
                             "the corpus's low/high")


# --------------------------------------------------------------------------- the LSTM


class MelodyLSTM(nn.Module):
    """Next-note model: embeddings -> LSTM -> pitch and duration logits.

    Parameters
    ----------
    low, high : int
        MIDI pitch range (inclusive) of the corpus; pitch tokens are ``pitch - low``, and
        ``high - low + 1`` is the start token.
    hidden : int
        LSTM width.
    layers : int
        Stacked LSTM layers.
    embed : int
        Width of each embedding.
    dropout : float
        Dropout on the LSTM output (and between layers).

    Notes
    -----
    ``forward(prev_pitch, prev_dur, countdown, mode)`` takes int tensors of shape
    ``(batch, time)`` (mode: ``(batch,)``) and returns ``(pitch_logits, dur_logits)`` of
    shapes ``(batch, time, n_pitches)`` and ``(batch, time, len(DURATIONS))``.
    Taught in ``09_music_generation``.
    """

    def __init__(self, low: int, high: int, hidden: int = 96, layers: int = 1,
                 embed: int = 32, dropout: float = 0.4) -> None:
        super().__init__()
        if high < low:
            raise ValueError(f"high ({high}) must be >= low ({low})")
        self.low, self.high = int(low), int(high)
        self.n_pitches = self.high - self.low + 1
        self.pitch_embed = nn.Embedding(self.n_pitches + 1, embed)
        self.dur_embed = nn.Embedding(N_DURATIONS + 1, embed // 2)
        self.count_embed = nn.Embedding(MAX_COUNTDOWN + 1, embed // 2)
        self.mode_embed = nn.Embedding(len(MODES), embed // 4)
        width = embed + embed // 2 + embed // 2 + embed // 4
        self.rnn = nn.LSTM(width, hidden, layers, batch_first=True,
                           dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.pitch_head = nn.Linear(hidden, self.n_pitches)
        self.dur_head = nn.Linear(hidden, N_DURATIONS)

    def forward(self, prev_pitch: torch.Tensor, prev_dur: torch.Tensor,
                count: torch.Tensor, mode: torch.Tensor,
                state: tuple[torch.Tensor, torch.Tensor] | None = None,
                ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        mode_e = self.mode_embed(mode)[:, None, :].expand(-1, prev_pitch.shape[1], -1)
        x = torch.cat([self.pitch_embed(prev_pitch), self.dur_embed(prev_dur),
                       self.count_embed(count), mode_e], dim=-1)
        h, state = self.rnn(x, state)
        h = self.drop(h)
        return self.pitch_head(h), self.dur_head(h), state


def lstm_tensors(melodies: Sequence[Melody], low: int, high: int) -> dict[str, torch.Tensor]:
    """Padded training tensors for :class:`MelodyLSTM` (teacher forcing).

    Returns
    -------
    dict of str to torch.Tensor
        ``prev_pitch``, ``prev_dur``, ``count``, ``pitch``, ``dur``: int64 of shape
        ``(n_melodies, max_len)``; ``mode``: ``(n_melodies,)``; ``mask``: bool, True on
        real notes. Inputs are shifted by one note (start tokens first).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not melodies:
        raise ValueError("no melodies to train on")
    _check_range(melodies, low, high)
    n_p = high - low + 1
    length = max(len(m) for m in melodies)
    shape = (len(melodies), length)
    out = {k: np.zeros(shape, dtype=np.int64) for k in
           ("prev_pitch", "prev_dur", "count", "pitch", "dur")}
    mask = np.zeros(shape, dtype=bool)
    for i, m in enumerate(melodies):
        n = len(m)
        p, d = m.pitch - low, duration_tokens(m.duration)
        out["pitch"][i, :n], out["dur"][i, :n] = p, d
        out["prev_pitch"][i, :n] = np.r_[n_p, p[:-1]]
        out["prev_dur"][i, :n] = np.r_[N_DURATIONS, d[:-1]]
        out["count"][i, :n] = countdown(m.phrase_end)
        mask[i, :n] = True
    tensors = {k: torch.from_numpy(v) for k, v in out.items()}
    tensors["mode"] = torch.tensor([MODES.index(m.mode) for m in melodies])
    tensors["mask"] = torch.from_numpy(mask)
    return tensors


def _crop(b: dict[str, torch.Tensor], seq_len: int) -> dict[str, torch.Tensor]:
    """A random stretch of ``seq_len`` notes of each melody of the batch (all of a short one)."""
    length = b["mask"].sum(1)
    start = (torch.rand(len(length), device=length.device)
             * (length - seq_len + 1).clamp(min=1)).long()
    idx = (start[:, None] + torch.arange(seq_len, device=length.device)).clamp(
        max=b["mask"].shape[1] - 1)
    out = {k: (v.gather(1, idx) if v.ndim == 2 else v) for k, v in b.items()}
    out["mask"] = out["mask"] & (idx < length[:, None])
    return out


def _lstm_loss(model: MelodyLSTM, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    pl, dl, _ = model(b["prev_pitch"], b["prev_dur"], b["count"], b["mode"])
    m = b["mask"]
    pitch = F.cross_entropy(pl[m], b["pitch"][m])
    dur = F.cross_entropy(dl[m], b["dur"][m])
    return pitch + dur, pitch, dur


def train_melody_lstm(
    model: MelodyLSTM,
    melodies: Sequence[Melody],
    *,
    batch_size: int = 32,
    seq_len: int = 48,
    lr: float = 3e-3,
    weight_decay: float = 1e-2,
    run: RunConfig | None = None,
) -> TrainResult:
    """Train :class:`MelodyLSTM` by next-note cross-entropy (pitch + duration), Adam.

    Parameters
    ----------
    model : MelodyLSTM
    melodies : sequence of Melody
        Training melodies.
    batch_size : int
        Melodies per step.
    seq_len : int
        Each step trains on a random stretch of ``seq_len`` consecutive notes of each
        melody of the batch (the whole melody if shorter); truncated back-propagation keeps
        a step cheap on a CPU.
    lr, weight_decay : float
        AdamW settings; the learning rate decays along a cosine to 10 % over ``run.steps``
        (or over the time budget).
    run : RunConfig, optional
        Steps, time budget, seed, device, progress (the kit's training loop,
        :class:`aigc_kit.training.Trainer`); default 45 s:
        ``RunConfig(steps=None, max_seconds=45.0)``.

    Returns
    -------
    TrainResult
        History columns ``loss``, ``pitch_ce``, ``duration_ce`` (nats per note); the model
        is left in eval mode.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2 notes, got {seq_len}")
    data = lstm_tensors(melodies, model.low, model.high)

    def loss(m: nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
        return _lstm_loss(m, _crop(batch, seq_len))

    run = run or RunConfig(steps=None, max_seconds=45.0)
    return _fit("train_melody_lstm", model, data, loss, ("loss", "pitch_ce", "duration_ce"),
                batch_size=batch_size, lr=lr, weight_decay=weight_decay, run=run)


@torch.no_grad()
def lstm_log_likelihood(model: MelodyLSTM, melodies: Sequence[Melody]) -> dict[str, float]:
    """Mean cross-entropy per note (nats) of real melodies under the model (eval mode).

    Returns ``{"pitch_ce", "duration_ce"}``; uniform guessing would give
    ``log(n_pitches)`` and ``log(len(DURATIONS))``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    device = next(model.parameters()).device
    b = {k: v.to(device) for k, v in lstm_tensors(melodies, model.low, model.high).items()}
    model.eval()
    _, pitch, dur = _lstm_loss(model, b)
    return {"pitch_ce": float(pitch), "duration_ce": float(dur)}


def _sample(logits: torch.Tensor, temperature: float,
            gen: torch.Generator | None) -> torch.Tensor:
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1).to(
        gen.device if gen is not None else torch.device("cpu"))
    flat = torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=gen)
    return flat.reshape(probs.shape[:-1]).to(logits.device)


def _check_temperature(temperature: float) -> None:
    if not (temperature >= 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be >= 0 (0 = always the likeliest token), got "
                         f"{temperature}")


@torch.no_grad()
def generate_lstm(
    model: MelodyLSTM,
    phrase_ends: Sequence[np.ndarray] | np.ndarray,
    modes: Sequence[str] | str = "major",
    temperature: float = 1.0,
    seed: int = 0,
    name: str = "lstm",
) -> list[Melody]:
    """Sample melodies note by note, following phrase plans and modes.

    Parameters
    ----------
    model : MelodyLSTM
        A trained model (its device is used).
    phrase_ends : np.ndarray of bool or a sequence of them
        One plan per melody: its length is the number of notes, True where a phrase ends
        (see :func:`plan_from_phrase_lengths`).
    modes : str or sequence of str
        ``"major"``/``"minor"`` for all melodies or one per melody.
    temperature : float
        Divides the logits before sampling: 1 samples the model's distribution, below 1 is
        more conservative, above 1 more adventurous; 0 takes the likeliest note (greedy).
    seed : int
        Seed of the sampling generator.
    name : str
        Prefix of the melodies' names.

    Returns
    -------
    list of Melody

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    _check_temperature(temperature)
    single = isinstance(phrase_ends, np.ndarray) and phrase_ends.ndim == 1
    plans = [np.asarray(p, dtype=bool).reshape(-1)
             for p in ([phrase_ends] if single else phrase_ends)]
    if not plans or min(len(p) for p in plans) < 1:
        raise ValueError("phrase_ends must hold at least one plan of at least one note")
    modes = [modes] * len(plans) if isinstance(modes, str) else list(modes)
    if len(modes) != len(plans) or any(m not in MODES for m in modes):
        raise ValueError(f"modes must be 'major'/'minor' or one of them per plan "
                         f"({len(plans)} plans), got {modes}")
    device = next(model.parameters()).device
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    n, length = len(plans), max(len(p) for p in plans)
    counts = np.zeros((n, length), dtype=np.int64)
    for i, p in enumerate(plans):
        counts[i, : len(p)] = countdown(p)
    counts_t = torch.from_numpy(counts).to(device)
    mode_t = torch.tensor([MODES.index(m) for m in modes], device=device)
    prev_p = torch.full((n, 1), model.n_pitches, device=device)
    prev_d = torch.full((n, 1), N_DURATIONS, device=device)
    state = None
    pitches, durs = [], []
    for t in range(length):
        pl, dl, state = model(prev_p, prev_d, counts_t[:, t:t + 1], mode_t, state)
        prev_p = _sample(pl[:, -1], temperature, gen)[:, None]
        prev_d = _sample(dl[:, -1], temperature, gen)[:, None]
        pitches.append(prev_p[:, 0].cpu())
        durs.append(prev_d[:, 0].cpu())
    pitch = torch.stack(pitches, 1).numpy() + model.low
    dur = np.asarray(DURATIONS)[torch.stack(durs, 1).numpy()]
    return [Melody(pitch[i, : len(p)].astype(int), dur[i, : len(p)].astype(float), p,
                   modes[i], f"{name} #{i}") for i, p in enumerate(plans)]


# --------------------------------------------------------------------------- the VAE


class MelodyVAE(nn.Module):
    """VAE over windows of :data:`WINDOW` notes: MLP encoder, autoregressive GRU decoder.

    The encoder maps a window (one-hot pitch, duration and phrase-end per note) to a
    Gaussian code ``z``. The decoder writes the window note by note, like MusicVAE's
    (Roberts et al. 2018): a GRU whose state starts from ``z`` reads ``z`` and the previous
    note at every step and predicts the next note's three tokens. A decoder that emits all
    notes at once from ``z`` (an MLP) samples each note independently of its neighbours
    and so loses the melodic motion; the autoregressive one keeps it. While training, each
    previous note is blanked with probability ``note_dropout`` so that the decoder has to
    use the code rather than only the previous note (Bowman et al. 2016's word dropout
    against posterior collapse).

    Parameters
    ----------
    low, high : int
        MIDI pitch range (inclusive).
    latent : int
        Latent dimension.
    hidden : int
        Width of the encoder's two hidden layers and of the decoder's GRU state.
    window : int
        Notes per window.
    note_dropout : float
        Probability of blanking each previous note fed to the decoder during training.

    Notes
    -----
    ``forward(x)`` takes a float one-hot batch of shape ``(batch, window, n_pitches +
    len(DURATIONS) + 2)`` and returns ``(logits, mu, logvar)`` with ``logits`` of the same
    shape as ``x`` (three groups of logits per note, teacher-forced on ``x``,
    :meth:`decode_teacher_forced`); new windows come from :meth:`decode` and :meth:`sample`
    (one-hot windows, :class:`aigc_kit.models.contract.GenerativeVAE`) or
    :meth:`sample_tokens` (integer tokens). Taught in ``09_music_generation``.
    """

    def __init__(self, low: int, high: int, latent: int = 16, hidden: int = 128,
                 window: int = WINDOW, note_dropout: float = 0.25) -> None:
        super().__init__()
        if high < low:
            raise ValueError(f"high ({high}) must be >= low ({low})")
        if not 0.0 <= note_dropout < 1.0:
            raise ValueError(f"note_dropout must be in [0, 1), got {note_dropout}")
        self.low, self.high, self.window, self.latent = int(low), int(high), window, latent
        self.note_dropout = float(note_dropout)
        self.n_pitches = self.high - self.low + 1
        self.features = self.n_pitches + N_DURATIONS + 2
        self.encoder = nn.Sequential(nn.Linear(window * self.features, hidden), nn.ReLU(),
                                     nn.Linear(hidden, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 2 * latent))
        self.init_state = nn.Linear(latent, hidden)
        self.rnn = nn.GRU(self.features + latent, hidden, batch_first=True)
        self.head = nn.Linear(hidden, self.features)

    @property
    def latent_dim(self) -> int:
        """Size of the latent code (``latent``), the contract's name for it."""
        return self.latent

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)`` of shape ``(batch, latent)`` each, for one-hot windows ``x``.

        ``labels`` must be ``None`` (the contract's signature; this VAE is not conditioned).
        """
        no_labels(self, labels)
        mu, logvar = self.encoder(x.flatten(1)).chunk(2, dim=1)
        return mu, logvar.clamp(-10.0, 10.0)

    def _step(self, prev: torch.Tensor, z: torch.Tensor, state: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor]:
        zs = z[:, None, :].expand(-1, prev.shape[1], -1)
        h, state = self.rnn(torch.cat([prev, zs], dim=-1), state)
        return self.head(h), state

    def decode_teacher_forced(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits ``(batch, window, features)`` of the window ``x`` given ``z``.

        Each note is predicted from ``z`` and the *true* previous notes of ``x`` (blanked
        with probability ``note_dropout`` in training mode): the training pass of
        :meth:`forward`. New windows come from :meth:`decode`.
        """
        prev = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], dim=1)  # zeros = start
        if self.training and self.note_dropout > 0:
            keep = torch.rand(prev.shape[:2], device=prev.device) >= self.note_dropout
            prev = prev * keep[..., None]
        logits, _ = self._step(prev, z, torch.tanh(self.init_state(z))[None])
        return logits

    def decode(
        self,
        z: torch.Tensor,
        labels: torch.Tensor | None = None,
        *,
        temperature: float = 0.0,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Windows written note by note from codes ``z`` ``(n, latent)``, free-running.

        Each note is chosen from the decoder's own previous notes (:meth:`sample_tokens`):
        the likeliest tokens by default (greedy, deterministic), or sampled at
        ``temperature`` from ``generator``. Without gradients.

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent)
            Latent codes; the window is computed on their device.
        labels : None
            Must be ``None`` (the contract's signature).
        temperature : float
            0 takes the likeliest token (greedy); otherwise as in :func:`generate_lstm`.
        generator : torch.Generator, optional
            Source of the token draws when ``temperature > 0`` (default the global RNG).

        Returns
        -------
        torch.Tensor of shape (n, window, n_pitches + len(DURATIONS) + 2)
            One-hot windows in the layout of :func:`vae_windows` (what :meth:`encode`
            takes), dtype of ``z``. The integer tokens are
            ``[g.argmax(-1) for g in model.split_logits(windows)]`` (pitch index, duration
            index, phrase end); :func:`decode_vae` turns codes into :class:`Melody`\\ s.
        """
        no_labels(self, labels)
        _check_temperature(temperature)
        p, d, e = self.sample_tokens(z, temperature, generator)
        return torch.cat([F.one_hot(p, self.n_pitches), F.one_hot(d, N_DURATIONS),
                          F.one_hot(e, 2)], dim=-1).to(z.dtype)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None,
                deterministic: bool = False
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The training pass: ``(logits, mu, logvar)``, logits teacher-forced on ``x``."""
        mu, logvar = self.encode(x, labels)
        z = mu if deterministic else reparameterize(mu, logvar)
        return self.decode_teacher_forced(z, x), mu, logvar

    @torch.no_grad()
    def sample(
        self,
        n: int,
        *,
        labels: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        device: str | torch.device | None = None,
        temperature: float = 0.0,
    ) -> torch.Tensor:
        """``n`` new one-hot windows ``(n, window, features)`` decoded from ``z ~ N(0, I)``.

        ``generator`` (on any device; default the global RNG) draws the codes and, when
        ``temperature > 0``, the tokens; ``device`` (default the model's) is where the
        windows are decoded and returned. See :meth:`decode`; :func:`generate_vae` gives
        :class:`Melody`\\ s instead.
        """
        no_labels(self, labels)
        device = torch.device(device) if device is not None else model_device(self)
        z = prior_codes(n, self.latent, device, generator, param_dtype(self))
        return self.decode(z, temperature=temperature, generator=generator)

    @torch.no_grad()
    def sample_tokens(self, z: torch.Tensor, temperature: float,
                      gen: torch.Generator | None
                      ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Write windows note by note from codes ``z`` ``(n, latent)``.

        Returns pitch (``0 .. n_pitches - 1``), duration (index into ``DURATIONS``) and
        phrase-end (0/1) tokens, int64 tensors of shape ``(n, window)``. ``gen`` draws the
        tokens when ``temperature > 0`` (``None``: the global RNG).
        """
        state = torch.tanh(self.init_state(z))[None]
        prev = torch.zeros(len(z), 1, self.features, device=z.device)
        out = []
        for _ in range(self.window):
            logits, state = self._step(prev, z, state)
            groups = self.split_logits(logits[:, -1])
            tokens = [_sample(lg, temperature, gen) for lg in groups]
            prev = torch.cat([F.one_hot(t, lg.shape[-1]).to(prev.dtype)
                              for t, lg in zip(tokens, groups, strict=True)], -1)[:, None]
            out.append(torch.stack(tokens, dim=1))
        p, d, e = torch.stack(out, dim=1).unbind(-1)
        return p, d, e

    def split_logits(self, logits: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Pitch, duration and phrase-end logits of a ``(batch, window, features)`` tensor."""
        p = self.n_pitches
        return logits[..., :p], logits[..., p:p + N_DURATIONS], logits[..., p + N_DURATIONS:]


def vae_windows(melodies: Sequence[Melody], low: int, high: int, window: int = WINDOW,
                hop: int = 2) -> torch.Tensor:
    """All windows of ``window`` consecutive notes (every ``hop`` notes), one-hot encoded.

    Returns
    -------
    torch.Tensor, shape (n_windows, window, n_pitches + len(DURATIONS) + 2), float32

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if hop < 1 or window < 2:
        raise ValueError(f"need window >= 2 and hop >= 1, got window={window}, hop={hop}")
    _check_range(melodies, low, high)
    n_p = high - low + 1
    rows = []
    for m in melodies:
        p, d, e = m.pitch - low, duration_tokens(m.duration), m.phrase_end.astype(int)
        for a in range(0, len(m) - window + 1, hop):
            rows.append(np.stack([p[a:a + window], n_p + d[a:a + window],
                                  n_p + N_DURATIONS + e[a:a + window]], axis=1))
    if not rows:
        raise ValueError(f"no melody has {window} notes; use a smaller window")
    idx = torch.from_numpy(np.stack(rows))  # (n, window, 3) feature indices
    x = torch.zeros(idx.shape[0], window, n_p + N_DURATIONS + 2)
    x.scatter_(2, idx, 1.0)
    return x


def _vae_loss_fn(beta: float) -> Callable[[MelodyVAE, dict[str, torch.Tensor]], tuple]:
    def loss(model: MelodyVAE, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
        x = b["x"]
        logits, mu, logvar = model(x)
        terms = []
        for lg, target in zip(model.split_logits(logits), model.split_logits(x), strict=True):
            terms.append(F.cross_entropy(lg.flatten(0, 1), target.flatten(0, 1).argmax(-1),
                                         reduction="sum") / len(x))
        recon = sum(terms)
        kl = (0.5 * (logvar.exp() + mu.square() - 1.0 - logvar)).sum(1).mean()
        return recon + beta * kl, recon, kl
    return loss


def train_melody_vae(
    model: MelodyVAE,
    melodies: Sequence[Melody],
    *,
    batch_size: int = 128,
    lr: float = 3e-3,
    beta: float = 0.2,
    weight_decay: float = 1e-4,
    run: RunConfig | None = None,
) -> TrainResult:
    """Train :class:`MelodyVAE` on windows of the melodies: cross-entropy + ``beta`` * KL.

    The reconstruction term is the summed cross-entropy (nats per window) of each note's
    pitch, duration and phrase-end tokens, the categorical counterpart of
    :func:`aigc_kit.training.losses.vae_loss`'s summed squared error; KL as
    :func:`aigc_kit.training.losses.gaussian_kl`.

    Parameters
    ----------
    model : MelodyVAE
    melodies : sequence of Melody
        Cut into windows by :func:`vae_windows` (hop 2).
    batch_size, lr, weight_decay
        As in :func:`train_melody_lstm`.
    run : RunConfig, optional
        Default 20 s: ``RunConfig(steps=None, max_seconds=20.0)``.
    beta : float
        Weight of the KL term. With ``beta = 1`` the short training runs of the notebook
        end in posterior collapse (KL near 0: every code decodes to the same average
        window); 0.2 keeps about 9 nats of information in the code.

    Returns
    -------
    TrainResult
        History columns ``loss``, ``reconstruction``, ``kl`` (nats per window).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    data = {"x": vae_windows(melodies, model.low, model.high, model.window)}
    run = run or RunConfig(steps=None, max_seconds=20.0)
    return _fit("train_melody_vae", model, data, _vae_loss_fn(beta),
                ("loss", "reconstruction", "kl"), batch_size=batch_size, lr=lr,
                weight_decay=weight_decay, run=run)


@torch.no_grad()
def generate_vae(
    model: MelodyVAE,
    n_melodies: int,
    windows_per_melody: int = 3,
    temperature: float = 1.0,
    seed: int = 0,
    mode: str = "major",
    name: str = "vae",
) -> list[Melody]:
    """Melodies of ``windows_per_melody`` decoded prior samples ``z ~ N(0, I)`` laid end to end.

    Parameters
    ----------
    model : MelodyVAE
    n_melodies : int
    windows_per_melody : int
        Each window is an independent latent sample of :data:`WINDOW` notes.
    temperature : float
        As in :func:`generate_lstm`, applied to every note's logits.
    seed : int
        Seeds both the latent codes and the token sampling.
    mode : str
        Only a label: the VAE is not conditioned on mode.
    name : str
        Prefix of the melodies' names.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    _check_temperature(temperature)
    if n_melodies < 1 or windows_per_melody < 1:
        raise ValueError("n_melodies and windows_per_melody must be at least 1")
    device = next(model.parameters()).device
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n_melodies * windows_per_melody, model.latent, generator=gen).to(device)
    return decode_vae(model, z, temperature, seed, windows_per_melody, mode, name)


@torch.no_grad()
def decode_vae(model: MelodyVAE, z: torch.Tensor, temperature: float = 0.0, seed: int = 0,
               windows_per_melody: int = 1, mode: str = "major", name: str = "vae"
               ) -> list[Melody]:
    """Decode latent codes ``(n, latent)`` into melodies (``windows_per_melody`` codes each).

    Notes
    -----
    Taught in ``09_music_generation`` (latent interpolation uses ``temperature=0``).
    """
    _check_temperature(temperature)
    if len(z) % windows_per_melody:
        raise ValueError(f"{len(z)} codes do not split into melodies of {windows_per_melody}")
    gen = torch.Generator().manual_seed(seed + 1)
    tokens = model.eval().sample_tokens(z.to(next(model.parameters()).device), temperature, gen)
    shape = (-1, windows_per_melody * model.window)
    p, d, e = (t.cpu().numpy().reshape(shape) for t in tokens)
    e = e.astype(bool)
    e[:, -1] = True
    return [Melody(p[i] + model.low, np.asarray(DURATIONS)[d[i]], e[i], mode, f"{name} #{i}")
            for i in range(len(p))]


# --------------------------------------------------------------------------- the loop


def _fit(
    name: str,
    model: nn.Module,
    data: dict[str, torch.Tensor],
    loss_fn: Callable[[nn.Module, dict[str, torch.Tensor]], tuple[torch.Tensor, ...]],
    columns: tuple[str, ...],
    *,
    batch_size: int,
    lr: float,
    weight_decay: float,
    run: RunConfig,
) -> TrainResult:
    """AdamW with a cosine learning rate and gradient clipping, as a step function on the
    kit's training loop (:class:`aigc_kit.training.Trainer`: budget, progress bar, history,
    NaN stop and restore)."""
    device = run.start()
    data = {k: v.to(device) for k, v in data.items()}
    batches = Batches(len(next(iter(data.values()))), batch_size, device)
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps, max_seconds = run.steps, run.max_seconds
    began = time.perf_counter()

    def step_fn(step: int) -> torch.Tensor:
        done = (step - 1) / steps if steps else 0.0
        if max_seconds is not None:
            done = max(done, (time.perf_counter() - began) / max_seconds)
        for group in opt.param_groups:  # cosine decay to 10 % of lr
            group["lr"] = lr * (0.55 + 0.45 * math.cos(math.pi * min(done, 1.0)))
        idx = batches()
        values = loss_fn(model, {k: v[idx] for k, v in data.items()})
        opt.zero_grad(set_to_none=True)
        values[0].backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        return torch.stack([v.detach() for v in values])

    config = {"batch_size": batch_size, "lr": lr, "weight_decay": weight_decay, "seed": run.seed}
    return Trainer(run).fit(Task(name, {"model": model}, step_fn, columns=columns,
                                 config=config, lr=lr))


