"""The melody LSTM: a next-note model conditioned on mode and on where phrases end.

**MelodyLSTM** (the RNN of chapter 3.2). At note ``t`` it reads the previous note (pitch
token, duration token) and two conditioning tokens, and predicts the next note's pitch and
duration (two softmax heads):

- ``countdown``: how many notes remain until the end of the current phrase (0 = this note
  ends it; :data:`~aigc_kit.apps.music.tokens.MAX_COUNTDOWN` means that many or more). In
  the chorales a phrase is one line of the hymn text, one note per syllable, closed by a
  fermata; so a lyric's syllable counts become countdowns, and the model has learnt what a
  line ending (a cadence) sounds like.
- ``mode``: major (0) or minor (1), the key of the chorale (C major or A minor after
  transposition).

:func:`train_melody_lstm` trains it by next-note cross-entropy on the kit's one loop;
:func:`lstm_log_likelihood` scores real melodies; :meth:`MelodyLSTM.sample` writes token
tensors following phrase plans (the kit's sampling contract) and :func:`generate_lstm`
gives :class:`~aigc_kit.apps.music.corpus.Melody`\\ s.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.sampling import check_temperature, draw_tokens, sampling_mode
from aigc_kit.apps.music.tokens import (
    DEFAULT_METRE,
    MAX_COUNTDOWN,
    MODES,
    N_DURATIONS,
    PAD,
    countdown,
    lstm_tensors,
    melodies_from_tokens,
    plan_from_phrase_lengths,
)
from aigc_kit.apps.music.training import cosine_by_default, melody_task
from aigc_kit.models.contract import check_count
from aigc_kit.runtime.device import model_device
from aigc_kit.training.loop import RunConfig, Trainer, TrainResult

DEFAULT_PLAN = plan_from_phrase_lengths(DEFAULT_METRE * 2)
"""The plan when none is given: a hymn stanza of four lines, 8.7.8.7 notes (30 notes)."""

Plans = np.ndarray | Sequence[np.ndarray] | None


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
    ``forward(prev_pitch, prev_dur, countdown, mode, state=None)`` takes int tensors of
    shape ``(batch, time)`` (mode: ``(batch,)``) and returns ``(pitch_logits, dur_logits,
    state)`` with logits of shapes ``(batch, time, n_pitches)`` and ``(batch, time,
    len(DURATIONS))``. :meth:`sample` writes new melodies as token tensors.
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
        """Pitch and duration logits of the next note, and the LSTM state (see the class)."""
        mode_e = self.mode_embed(mode)[:, None, :].expand(-1, prev_pitch.shape[1], -1)
        x = torch.cat([self.pitch_embed(prev_pitch), self.dur_embed(prev_dur),
                       self.count_embed(count), mode_e], dim=-1)
        h, state = self.rnn(x, state)
        h = self.drop(h)
        return self.pitch_head(h), self.dur_head(h), state

    @torch.no_grad()
    def sample(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        device: str | torch.device | None = None,
        phrase_ends: Plans = None,
        modes: Sequence[str] | str = "major",
        temperature: float = 1.0,
    ) -> torch.Tensor:
        """``n`` melodies written note by note, following phrase plans and modes: tokens.

        The kit's sampling contract (:class:`aigc_kit.models.LatentSampler`), so
        ``aigc_kit.generation.sample(lstm, n, seed=0)`` works (with the default plan);
        :func:`generate_lstm` gives :class:`Melody`\\ s.

        Parameters
        ----------
        n : int
            Number of melodies.
        generator : torch.Generator, optional
            Draws the notes (on its own device); ``None``: the global RNG.
        device : str or torch.device, optional
            Where the model runs and the tokens are returned; default the model's device.
        phrase_ends : np.ndarray of bool, or a sequence of ``n`` of them, optional
            The plan of every melody (one bool per note, True where a phrase ends: see
            :func:`~aigc_kit.apps.music.tokens.plan_from_phrase_lengths`), or one plan per
            melody; default :data:`DEFAULT_PLAN`.
        modes : str or sequence of str
            ``"major"``/``"minor"`` for all melodies or one per melody.
        temperature : float
            Divides the logits before sampling: 1 samples the model's distribution, below 1
            is more conservative, above 1 more adventurous; 0 takes the likeliest note.

        Returns
        -------
        torch.Tensor of shape (n, notes, 3), int64, on ``device``
            Pitch token (``pitch - low``), duration token (index into ``DURATIONS``) and
            the plan's phrase end (0/1) of every note; ``-1`` past a shorter plan's end
            (:func:`~aigc_kit.apps.music.tokens.melodies_from_tokens` reads it). The mode is
            left alone: call ``.eval()`` first (dropout) or use :func:`generate_lstm`.
        """
        check_temperature(temperature)
        plans, modes = _plans_and_modes(check_count(n), phrase_ends, modes)
        device = torch.device(device) if device is not None else model_device(self)
        length = max(len(p) for p in plans)
        counts = np.zeros((n, length), dtype=np.int64)
        ends = np.full((n, length), PAD, dtype=np.int64)
        for i, p in enumerate(plans):
            counts[i, : len(p)] = countdown(p)
            ends[i, : len(p)] = p
        counts_t = torch.from_numpy(counts).to(device)
        mode_t = torch.tensor([MODES.index(m) for m in modes], device=device)
        prev_p = torch.full((n, 1), self.n_pitches, device=device)
        prev_d = torch.full((n, 1), N_DURATIONS, device=device)
        state, notes = None, []
        for t in range(length):
            pl, dl, state = self(prev_p, prev_d, counts_t[:, t:t + 1], mode_t, state)
            prev_p = draw_tokens(pl[:, -1], temperature, generator)[:, None]
            prev_d = draw_tokens(dl[:, -1], temperature, generator)[:, None]
            notes.append(torch.cat([prev_p, prev_d], dim=1))
        tokens = torch.cat([torch.stack(notes, dim=1),
                            torch.from_numpy(ends).to(device)[..., None]], dim=-1)
        tokens[..., :2][tokens[..., 2] == PAD] = PAD
        return tokens


def _plans_and_modes(n: int, phrase_ends: Plans, modes: Sequence[str] | str
                     ) -> tuple[list[np.ndarray], list[str]]:
    """``n`` plans (bool arrays) and ``n`` modes, checked."""
    if phrase_ends is None:
        phrase_ends = DEFAULT_PLAN
    single = isinstance(phrase_ends, np.ndarray) and phrase_ends.ndim == 1
    plans = [np.asarray(p, dtype=bool).reshape(-1)
             for p in ([phrase_ends] * n if single else phrase_ends)]
    if len(plans) != n or min((len(p) for p in plans), default=0) < 1:
        raise ValueError(f"phrase_ends must be one plan of at least one note, or {n} of them "
                         f"(one per melody); got {len(plans)} plans")
    modes = [modes] * n if isinstance(modes, str) else list(modes)
    if len(modes) != n or any(m not in MODES for m in modes):
        raise ValueError(f"modes must be 'major'/'minor' or one of them per melody ({n}), "
                         f"got {modes}")
    return plans, modes


def lstm_loss(model: MelodyLSTM, batch: dict[str, torch.Tensor]
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Next-note cross-entropy (nats per note) on :func:`lstm_tensors` of a batch.

    Returns
    -------
    (total, pitch, duration) : scalar tensors
        ``total = pitch + duration``, each averaged over the real notes (``mask``).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    pl, dl, _ = model(batch["prev_pitch"], batch["prev_dur"], batch["count"], batch["mode"])
    m = batch["mask"]
    pitch = F.cross_entropy(pl[m], batch["pitch"][m])
    dur = F.cross_entropy(dl[m], batch["dur"][m])
    return pitch + dur, pitch, dur


def crop(batch: dict[str, torch.Tensor], seq_len: int) -> dict[str, torch.Tensor]:
    """A random stretch of ``seq_len`` notes of each melody of ``batch`` (all of a short one).

    Start positions are drawn from the global RNG; the ``mask`` of a melody shorter than
    ``seq_len`` is False past its end.

    Notes
    -----
    Truncated back-propagation for :func:`train_melody_lstm` (``09_music_generation``).
    """
    length = batch["mask"].sum(1)
    start = (torch.rand(len(length), device=length.device)
             * (length - seq_len + 1).clamp(min=1)).long()
    idx = (start[:, None] + torch.arange(seq_len, device=length.device)).clamp(
        max=batch["mask"].shape[1] - 1)
    out = {k: (v.gather(1, idx) if v.ndim == 2 else v) for k, v in batch.items()}
    out["mask"] = out["mask"] & (idx < length[:, None])
    return out


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
    """Train :class:`MelodyLSTM` by next-note cross-entropy (pitch + duration) on the kit's loop.

    Each step: a batch of melodies, a random stretch of ``seq_len`` notes of each
    (:func:`crop`), :func:`lstm_loss`, an AdamW update with clipped gradients
    (:func:`aigc_kit.apps.music.training.melody_task`), run by
    :class:`aigc_kit.training.Trainer`.

    Parameters
    ----------
    model : MelodyLSTM
        Trained in place (on ``run``'s device) and left in eval mode.
    melodies : sequence of Melody
        Training melodies.
    batch_size : int
        Melodies per step.
    seq_len : int
        Each step trains on a random stretch of ``seq_len`` consecutive notes of each
        melody of the batch (the whole melody if shorter); truncated back-propagation keeps
        a step cheap on a CPU.
    lr, weight_decay : float
        AdamW settings; ``lr`` is the starting rate of the schedule.
    run : RunConfig, optional
        Steps, time budget, seed, device, progress, schedule (the kit's training loop);
        default 45 s: ``RunConfig(steps=None, max_seconds=45.0)``. Its ``lr_schedule``
        defaults to ``"cosine"`` here: the rate decays along a cosine to ``lr_floor``
        (10 %) of ``lr`` over ``run.steps`` or the time budget.

    Returns
    -------
    TrainResult
        History columns ``loss``, ``pitch_ce``, ``duration_ce`` (nats per note).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2 notes, got {seq_len}")
    data = lstm_tensors(melodies, model.low, model.high)
    run = cosine_by_default(run or RunConfig(steps=None, max_seconds=45.0))
    device = run.start()
    task = melody_task("train_melody_lstm", model, data,
                       lambda m, batch: lstm_loss(m, crop(batch, seq_len)),
                       ("loss", "pitch_ce", "duration_ce"), batch_size=batch_size, lr=lr,
                       weight_decay=weight_decay, device=device,
                       config={"seq_len": seq_len, "seed": run.seed})
    return Trainer(run).fit(task)


@torch.no_grad()
def lstm_log_likelihood(model: MelodyLSTM, melodies: Sequence[Melody]) -> dict[str, float]:
    """Mean cross-entropy per note (nats) of real melodies under the model (eval mode).

    Returns ``{"pitch_ce", "duration_ce"}``; uniform guessing would give
    ``log(n_pitches)`` and ``log(len(DURATIONS))``. The model is left in eval mode.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    device = model_device(model)
    b = {k: v.to(device) for k, v in lstm_tensors(melodies, model.low, model.high).items()}
    model.eval()
    _, pitch, dur = lstm_loss(model, b)
    return {"pitch_ce": float(pitch), "duration_ce": float(dur)}


def generate_lstm(
    model: MelodyLSTM,
    n: int,
    phrase_ends: Plans = None,
    modes: Sequence[str] | str = "major",
    temperature: float = 1.0,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    device: str | torch.device | None = None,
    name: str = "lstm",
) -> list[Melody]:
    """``n`` melodies from the LSTM, following phrase plans and modes, as :class:`Melody`\\ s.

    :meth:`MelodyLSTM.sample` in eval mode without gradients, read by
    :func:`~aigc_kit.apps.music.tokens.melodies_from_tokens`; the model gets its mode back.

    Parameters
    ----------
    model : MelodyLSTM
        A trained model.
    n : int
        Number of melodies.
    phrase_ends, modes, temperature
        As in :meth:`MelodyLSTM.sample`: one plan for all or ``n`` plans (default
        :data:`DEFAULT_PLAN`), one mode for all or ``n`` modes.
    seed : int, optional
        Seed of a private CPU ``torch.Generator`` for the notes (the global RNG untouched).
    generator : torch.Generator, optional
        Or a generator of your own (not both); neither: torch's global RNG.
    device : str or torch.device, optional
        Where the model runs; default its device.
    name : str
        Prefix of the melodies' names.

    Returns
    -------
    list of Melody
        Each as long as its plan, with the plan's phrase ends.

    Notes
    -----
    The same ``seed``/``generator`` contract as :func:`aigc_kit.generation.sample`.
    Taught in ``09_music_generation``.
    """
    with sampling_mode(model, seed, generator) as generator:
        tokens = model.sample(n, generator=generator, device=device, phrase_ends=phrase_ends,
                              modes=modes, temperature=temperature)
    return melodies_from_tokens(tokens, model.low, modes, name)
