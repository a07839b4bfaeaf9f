import sys

from hardware.emulator import main

sys.exit(main())
