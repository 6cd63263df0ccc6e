from observer.cli.main import main

raise SystemExit(main())
