"""Generative models of the course, from the linear-Gaussian warm-up to GANs and VAEs."""

from aigc_kit.models.gaussian import LinearGaussianModel

__all__ = ["LinearGaussianModel"]
