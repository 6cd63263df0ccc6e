"""The main window's panels: one per section of the navigation list."""
