import sys

from totem.cli import main

sys.exit(main())
