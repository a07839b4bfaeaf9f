import sys

from hardware.agent import main

sys.exit(main())
