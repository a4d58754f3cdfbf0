"""The clerk window (Tk only). Views call the same services as the CLI."""


def run_gui() -> int:
    """Open the clerk window on the already-opened database; returns the exit code."""
    from clerk_app.app import ClerkApp
    app = ClerkApp()
    app.run()
    return 0
