"""``python -m accelbench.cli``: the same as the ``accelbench`` command."""

import sys

from accelbench.cli import main

sys.exit(main())
