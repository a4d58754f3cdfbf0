"""Views: one ttk.Frame subclass per screen, built as View(master, services)."""
