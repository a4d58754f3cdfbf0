"""Page acquisition (scanners, document cameras, files, watch folders), cleanup and OCR.

Never imports Tk: the GUI and the CLI both build on these modules.
"""
