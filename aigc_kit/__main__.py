"""``python -m aigc_kit``: the same as the ``aigc-kit`` command."""

import sys

from aigc_kit.course.cli import main

sys.exit(main())
