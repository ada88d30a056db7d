"""The melody VAE: a latent space of melody windows, with an autoregressive decoder.

**MelodyVAE** (the latent model of chapter 3.2): an MLP encoder maps a window of
:data:`~aigc_kit.apps.music.tokens.WINDOW` consecutive notes (one-hot pitch, duration and
phrase end per note, :func:`~aigc_kit.apps.music.tokens.vae_windows`) to a 16-D Gaussian
code; a GRU decoder writes the window back note by note from the code (as MusicVAE does).
It follows the kit's VAE contract (:class:`aigc_kit.models.GenerativeVAE`): sampling
``z ~ N(0, I)`` and decoding gives new windows (:meth:`MelodyVAE.sample`); longer
melodies are windows laid end to end (with a seam every window the model never saw),
:func:`generate_vae`; :func:`decode_vae` turns chosen codes into melodies.

:func:`train_melody_vae` trains it on the kit's one loop: summed cross-entropy of every
note's tokens plus ``beta`` times the KL of :func:`aigc_kit.training.gaussian_kl`, with
codes drawn by :func:`aigc_kit.models.reparameterize`.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.sampling import check_temperature, draw_tokens, sampling_mode
from aigc_kit.apps.music.tokens import (
    N_DURATIONS,
    WINDOW,
    melodies_from_tokens,
    vae_windows,
    window_tokens,
)
from aigc_kit.apps.music.training import cosine_by_default, melody_task
from aigc_kit.models.contract import check_count, no_labels, prior_codes, reparameterize
from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.loop import RunConfig, Trainer, TrainResult
from aigc_kit.training.losses import gaussian_kl


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
            0 takes the likeliest token (greedy); otherwise as in
            :func:`~aigc_kit.apps.music.sampling.draw_tokens`.
        generator : torch.Generator, optional
            Source of the token draws when ``temperature > 0`` (default the global RNG).

        Returns
        -------
        torch.Tensor of shape (n, window, n_pitches + len(DURATIONS) + 2)
            One-hot windows in the layout of :func:`vae_windows` (what :meth:`encode`
            takes), dtype of ``z``; :func:`~aigc_kit.apps.music.tokens.window_tokens` reads
            their tokens, and :func:`decode_vae` turns codes into :class:`Melody`\\ s.
        """
        no_labels(self, labels)
        check_temperature(temperature)
        p, d, e = self.sample_tokens(z, temperature, generator).unbind(-1)
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
    def sample_tokens(self, z: torch.Tensor, temperature: float = 0.0,
                      generator: torch.Generator | None = None) -> torch.Tensor:
        """Write windows note by note from codes ``z`` ``(n, latent)``: a token tensor.

        Returns
        -------
        torch.Tensor of shape (n, window, 3), int64, on ``z``'s device
            Pitch (``0 .. n_pitches - 1``), duration (index into ``DURATIONS``) and
            phrase-end (0/1) token of every note (the layout of
            :func:`~aigc_kit.apps.music.tokens.melodies_from_tokens`). ``generator`` draws
            the tokens when ``temperature > 0`` (``None``: the global RNG).
        """
        state = torch.tanh(self.init_state(z))[None]
        prev = torch.zeros(len(z), 1, self.features, device=z.device)
        out = []
        for _ in range(self.window):
            logits, state = self._step(prev, z, state)
            groups = self.split_logits(logits[:, -1])
            tokens = [draw_tokens(lg, temperature, generator) for lg in groups]
            prev = torch.cat([F.one_hot(t, lg.shape[-1]).to(prev.dtype)
                              for t, lg in zip(tokens, groups, strict=True)], -1)[:, None]
            out.append(torch.stack(tokens, dim=1))
        return torch.stack(out, dim=1)

    def split_logits(self, logits: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Pitch, duration and phrase-end logits of a ``(batch, window, features)`` tensor."""
        p = self.n_pitches
        return logits[..., :p], logits[..., p:p + N_DURATIONS], logits[..., p + N_DURATIONS:]




def melody_vae_loss(model: MelodyVAE, batch: dict[str, torch.Tensor], beta: float
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Summed token cross-entropy + ``beta`` * KL of a batch of windows ``batch["x"]``.

    Returns
    -------
    (total, reconstruction, kl) : scalar tensors
        ``reconstruction``: the cross-entropy (nats) of every note's pitch, duration and
        phrase-end tokens, summed over the window and averaged over the batch; ``kl``:
        :func:`aigc_kit.training.gaussian_kl` averaged over the batch;
        ``total = reconstruction + beta * kl``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    x = batch["x"]
    logits, mu, logvar = model(x)
    terms = []
    for lg, target in zip(model.split_logits(logits), model.split_logits(x), strict=True):
        terms.append(F.cross_entropy(lg.flatten(0, 1), target.flatten(0, 1).argmax(-1),
                                     reduction="sum") / len(x))
    reconstruction = sum(terms)
    kl = gaussian_kl(mu, logvar).mean()
    return reconstruction + beta * kl, reconstruction, kl


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
    :func:`aigc_kit.training.losses.vae_loss`'s summed squared error; the KL is
    :func:`aigc_kit.training.losses.gaussian_kl` (:func:`melody_vae_loss`). Each step is
    an AdamW update with clipped gradients
    (:func:`aigc_kit.apps.music.training.melody_task`) run by
    :class:`aigc_kit.training.Trainer`.

    Parameters
    ----------
    model : MelodyVAE
        Trained in place (on ``run``'s device) and left in eval mode.
    melodies : sequence of Melody
        Cut into windows by :func:`~aigc_kit.apps.music.tokens.vae_windows` (hop 2).
    batch_size : int
        Windows per step.
    lr, weight_decay : float
        AdamW settings; ``lr`` is the starting rate of the schedule.
    beta : float
        Weight of the KL term. With ``beta = 1`` the short training runs of the notebook
        end in posterior collapse (KL near 0: every code decodes to the same average
        window); 0.2 keeps about 9 nats of information in the code.
    run : RunConfig, optional
        Default 20 s: ``RunConfig(steps=None, max_seconds=20.0)``; its ``lr_schedule``
        defaults to ``"cosine"`` here, as in
        :func:`~aigc_kit.apps.music.lstm.train_melody_lstm`.

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
    run = cosine_by_default(run or RunConfig(steps=None, max_seconds=20.0))
    device = run.start()
    task = melody_task("train_melody_vae", model, data,
                       lambda m, batch: melody_vae_loss(m, batch, beta),
                       ("loss", "reconstruction", "kl"), batch_size=batch_size, lr=lr,
                       weight_decay=weight_decay, device=device,
                       config={"beta": beta, "seed": run.seed})
    return Trainer(run).fit(task)


def generate_vae(
    model: MelodyVAE,
    n: int,
    windows_per_melody: int = 3,
    temperature: float = 1.0,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    device: str | torch.device | None = None,
    mode: str = "major",
    name: str = "vae",
) -> list[Melody]:
    """``n`` melodies of ``windows_per_melody`` prior samples ``z ~ N(0, I)`` laid end to end.

    :meth:`MelodyVAE.sample` of ``n * windows_per_melody`` windows in eval mode without
    gradients (the model gets its mode back), read into :class:`Melody`\\ s; the last
    note of every melody ends a phrase.

    Parameters
    ----------
    model : MelodyVAE
    n : int
        Number of melodies.
    windows_per_melody : int
        Each window is an independent latent sample of ``model.window`` notes.
    temperature : float
        As in :func:`~aigc_kit.apps.music.sampling.draw_tokens`, applied to every note.
    seed : int, optional
        Seed of a private CPU ``torch.Generator`` that draws the codes, then the notes (the
        global RNG untouched).
    generator : torch.Generator, optional
        Or a generator of your own (not both); neither: torch's global RNG.
    device : str or torch.device, optional
        Where the model runs; default its device.
    mode : str
        Only a label: the VAE is not conditioned on mode.
    name : str
        Prefix of the melodies' names.

    Notes
    -----
    The same ``seed``/``generator`` contract as :func:`aigc_kit.generation.sample`.
    Taught in ``09_music_generation``.
    """
    n = check_count(n)
    windows_per_melody = check_count(windows_per_melody)
    with sampling_mode(model, seed, generator) as generator:
        windows = model.sample(n * windows_per_melody, generator=generator, device=device,
                               temperature=temperature)
    return _melodies(model, windows, windows_per_melody, mode, name)


def decode_vae(
    model: MelodyVAE,
    z: torch.Tensor,
    temperature: float = 0.0,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    device: str | torch.device | None = None,
    windows_per_melody: int = 1,
    mode: str = "major",
    name: str = "vae",
) -> list[Melody]:
    """Melodies from chosen latent codes ``z`` ``(n_windows, latent)``, ``windows_per_melody``
    codes each (:meth:`MelodyVAE.decode` in eval mode, without gradients).

    ``temperature=0`` (the default) decodes greedily and draws nothing; otherwise
    ``seed``/``generator`` draw the notes as in :func:`generate_vae`. ``device`` (default
    the model's) is where the codes are decoded.

    Notes
    -----
    Taught in ``09_music_generation`` (latent interpolation, greedy).
    """
    z = torch.as_tensor(z)
    windows_per_melody = check_count(windows_per_melody)
    if z.ndim != 2 or len(z) == 0 or len(z) % windows_per_melody:
        raise ValueError(f"z of shape {tuple(z.shape)} does not split into melodies of "
                         f"{windows_per_melody} codes; give (n * windows_per_melody, latent)")
    device = torch.device(device) if device is not None else model_device(model)
    with sampling_mode(model, seed, generator) as generator:
        windows = model.decode(z.to(device, param_dtype(model)), temperature=temperature,
                               generator=generator)
    return _melodies(model, windows, windows_per_melody, mode, name)


def _melodies(model: MelodyVAE, windows: torch.Tensor, windows_per_melody: int, mode: str,
              name: str) -> list[Melody]:
    """Decoded one-hot windows, ``windows_per_melody`` to a melody, as :class:`Melody`\\ s
    whose last note ends a phrase."""
    tokens = window_tokens(windows).reshape(-1, windows_per_melody * model.window, 3)
    tokens[:, -1, 2] = 1
    return melodies_from_tokens(tokens, model.low, mode, name)
