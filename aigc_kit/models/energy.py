"""Energy-based models on a finite space (chapter 4.1-4.2): ``P(X) = exp(-V(X)) / Z``.

Taught in ``05_math_losses_optimizers``.

An *energy* ``V(X)`` scores every possible object ``X`` (low energy = likely), and

    P(X) = exp(-V(X)) / Z,      Z = sum over all X of exp(-V(X)),      -log P(X) = V(X) + log Z.

So ``V = -log P`` holds only **up to the constant** ``log Z`` (the source article writes it
without the constant, which is true only when ``Z = 1``). Adding a constant to every energy
changes ``Z`` but not ``P``. In real generative models the space is astronomically large and
``Z`` cannot be summed; here it is small enough (e.g. all 4**8 = 65,536 eight-note melodies on
a four-note scale) that ``Z`` is exact and samples can be checked against ``P``.

Energies are NumPy arrays of any shape, one value per state, computed in float64. Everything
is done in log space (``logsumexp``), so energies of size 1e4 work even though
``exp(-1e4)`` underflows to 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

__all__ = [
    "all_sequences",
    "energy_from_probability",
    "energy_probability",
    "log_partition",
    "melody_energy",
    "sample_energy",
]

MAX_STATES = 2**24  # all_sequences refuses to build larger tables (16.8 M rows)


def _energies(V: ArrayLike) -> np.ndarray:
    """``V`` as float64, checked: non-empty, no NaN and no -inf (+inf means P = 0)."""
    energies = np.asarray(V, dtype=np.float64)
    if energies.size == 0:
        raise ValueError("need at least one state, got an empty energy array.")
    if np.isnan(energies).any() or np.isneginf(energies).any():
        raise ValueError(
            "energies must not be NaN or -inf (a -inf energy would be infinitely likely); "
            "+inf is allowed and gives that state probability 0."
        )
    if np.isposinf(energies).all():
        raise ValueError("every energy is +inf, so Z = 0 and no distribution exists.")
    return energies


def log_partition(V: ArrayLike) -> float:
    """``log Z = log sum_X exp(-V(X))``, the log of the normalising constant.

    Parameters
    ----------
    V : array_like, any shape
        Energy of every state (dimensionless, in nats); ``+inf`` marks impossible states.

    Returns
    -------
    float
        ``log Z``, computed with ``logsumexp`` so it stays exact for energies of any
        magnitude (``V = 1e4`` gives ``log Z`` near ``-1e4``, not ``log 0``).

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    return float(logsumexp(-_energies(V)))


def energy_probability(V: ArrayLike) -> np.ndarray:
    """The Boltzmann distribution ``P(X) = exp(-V(X)) / Z`` over a finite set of states.

    Parameters
    ----------
    V : array_like, any shape
        Energy of every state; ``+inf`` gives probability 0.

    Returns
    -------
    np.ndarray
        float64 probabilities of ``V``'s shape, summing to 1, computed as
        ``exp(-V - log Z)`` so that no intermediate overflows or underflows to 0/0.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    energies = _energies(V)
    return np.exp(-energies - logsumexp(-energies))


def energy_from_probability(P: ArrayLike) -> np.ndarray:
    """The energy ``V = -log P`` that reproduces a distribution, up to an additive constant.

    ``energy_probability(energy_from_probability(P))`` gives back ``P``; the energies
    returned are the ones with ``Z = 1``. Any other energy of ``P`` is this plus a constant
    ``c`` (then ``Z = exp(-c)``), so an energy model's ``V`` and ``-log P`` differ by
    ``log Z``.

    Parameters
    ----------
    P : array_like, any shape
        Probabilities, non-negative; normalised or not (unnormalised weights give
        energies shifted by ``log sum P``).

    Returns
    -------
    np.ndarray
        float64 energies in nats, ``+inf`` where ``P = 0``.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    probabilities = np.asarray(P, dtype=np.float64)
    if np.isnan(probabilities).any() or (probabilities < 0).any():
        raise ValueError("probabilities must be non-negative numbers (no NaN).")
    with np.errstate(divide="ignore"):
        return -np.log(probabilities)


def sample_energy(V: ArrayLike, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` states independently from ``P = exp(-V) / Z``.

    Parameters
    ----------
    V : array_like, any shape
        Energy of every state.
    n : int
        Number of samples (>= 0).
    rng : numpy.random.Generator
        Source of randomness; the same generator state gives the same samples.

    Returns
    -------
    np.ndarray of int64, shape (n,)
        Flat indices into ``V`` (``V.ravel()[i]`` is a sample's energy); use
        ``np.unravel_index`` to get multi-dimensional indices.

    Notes
    -----
    Inverse-CDF sampling on the exact probabilities. Taught in
    ``05_math_losses_optimizers``, which compares sample frequencies with ``P``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}.")
    cdf = np.cumsum(energy_probability(V).ravel())
    indices = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return np.minimum(indices, cdf.size - 1).astype(np.int64)


def all_sequences(n_steps: int, n_symbols: int) -> np.ndarray:
    """Every sequence of ``n_steps`` symbols from ``0 .. n_symbols - 1``, in counting order.

    Parameters
    ----------
    n_steps : int
        Sequence length (>= 1), e.g. 8 notes.
    n_symbols : int
        Alphabet size (>= 1), e.g. the 4 notes of a scale, or 2 for binary pixels.

    Returns
    -------
    np.ndarray of int64, shape (n_symbols**n_steps, n_steps)
        Row ``i`` holds the base-``n_symbols`` digits of ``i``, most significant first,
        so ``all_sequences(8, 4)`` is all 65,536 eight-note melodies on a four-note scale and
        ``all_sequences(9, 2).reshape(-1, 3, 3)`` is all 512 binary 3x3 images.

    Raises
    ------
    ValueError
        If an argument is below 1 or the table would exceed :data:`MAX_STATES` rows.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    if n_steps < 1 or n_symbols < 1:
        raise ValueError(f"n_steps and n_symbols must be >= 1, got {n_steps}, {n_symbols}.")
    if n_symbols**n_steps > MAX_STATES:
        raise ValueError(
            f"{n_symbols}**{n_steps} = {n_symbols**n_steps:,} sequences exceed the limit of "
            f"{MAX_STATES:,}; exact enumeration is only for small spaces."
        )
    place_values = n_symbols ** np.arange(n_steps - 1, -1, -1, dtype=np.int64)
    return (np.arange(n_symbols**n_steps, dtype=np.int64)[:, None] // place_values) % n_symbols


def melody_energy(
    seqs: ArrayLike,
    step_cost: float = 0.5,
    leap_cost: float = 1.5,
    repeat_cost: float = 1.0,
    tonic_bonus: float = 2.0,
    tonic: int = 0,
) -> np.ndarray:
    """A hand-made energy for melodies written as scale degrees (low energy = more tuneful).

    For a melody ``s_1 .. s_T`` of scale degrees (0 = the lowest note of the scale) and the
    interval sizes ``d_t = |s_{t+1} - s_t|`` in scale steps::

        V(s) = sum_t cost(d_t) - tonic_bonus * [s_T == tonic]

        cost(0) = repeat_cost                       (a repeated note: a little dull)
        cost(1) = step_cost                         (a step to a neighbour: cheapest)
        cost(d) = step_cost + leap_cost * (d - 1)   (a leap of d >= 2 degrees: costly)

    So stepwise melodies that end on the tonic are the most probable, and wide leaps
    are exponentially rare: each extra degree of leap divides ``P`` by ``exp(leap_cost)``.
    The energy depends only on intervals and the last note, so many melodies share an
    energy (ties).

    Parameters
    ----------
    seqs : array_like of int, shape (n_melodies, n_steps) or (n_steps,)
        Scale degrees, e.g. rows of :func:`all_sequences`.
    step_cost, leap_cost, repeat_cost, tonic_bonus : float
        Energy terms in nats (``exp(-cost)`` is the probability factor each contributes).
    tonic : int
        The scale degree a melody should end on.

    Returns
    -------
    np.ndarray of float64, shape (n_melodies,)
        The energy of every melody (a NumPy float for a single 1-D melody).

    Notes
    -----
    Taught in ``05_math_losses_optimizers``, where the 65,536 melodies of 8 notes on a
    4-note scale get their exact probabilities and the most probable are played.
    """
    melodies = np.asarray(seqs)
    if melodies.ndim not in (1, 2) or melodies.shape[-1] < 1:
        raise ValueError(
            f"seqs must have shape (n_melodies, n_steps) or (n_steps,), got {melodies.shape}."
        )
    if not np.issubdtype(melodies.dtype, np.integer):
        raise ValueError(f"seqs must hold integer scale degrees, got dtype {melodies.dtype}.")
    leaps = np.abs(np.diff(melodies.astype(np.int64), axis=-1))
    costs = np.where(
        leaps == 0, repeat_cost, step_cost + leap_cost * np.maximum(leaps - 1, 0)
    ).sum(axis=-1)
    return costs - tonic_bonus * (melodies[..., -1] == tonic)
