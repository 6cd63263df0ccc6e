from observer.cli import main

raise SystemExit(main())
