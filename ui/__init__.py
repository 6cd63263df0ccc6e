"""Practice Observer's PySide6 interface: windows, panels, dialogs and item models."""
