"""Applications (chapters 6 and 8): the pipeline's stages put to work.

- :mod:`aigc_kit.apps.music`: melodies from the Bach chorales (``09_music_generation``);
- :mod:`aigc_kit.apps.speech`: a digit text-to-speech (``10_speech_synthesis``);
- :mod:`aigc_kit.apps.video`: cuts, editing, style transfer and generation of video
  (``11_video_auto_editing``, ``12_video_style_and_generation``);
- :mod:`aigc_kit.apps.provenance`: an audio watermark (``13_trends_challenges``).

Import each from its own package, e.g. ``from aigc_kit.apps.music import generate_lstm``.
"""
