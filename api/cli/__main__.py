"""`python -m api.cli`: the goalengine command."""

import sys

from api.cli import main

sys.exit(main())
