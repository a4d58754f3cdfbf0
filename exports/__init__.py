"""Printed and mailed documents of Tongban Clerk: notices, transmittal, EMS labels, case packages.

Builds PDFs with reportlab and embedded CJK fonts (exports.fonts); may import forms/, never Tk.
"""
