"""The clerk window (Tk only). Views call the same services as the CLI."""


def run_gui() -> int:
    """Open the clerk window on the already-opened database; returns the exit code (Tk thread)."""
    import sys
    import tkinter

    from clerk_app.app import ClerkApp
    try:
        app = ClerkApp()
    except tkinter.TclError as e:
        # No display (a server session, DISPLAY unset): say so in one line, no traceback.
        sys.stderr.write(f"无法打开窗口：没有可用的图形显示（{e}）。命令行办理请用 main.py --help 查看子命令。\n")
        return 1
    app.run()
    return 0
