"""Rendering report figures (:class:`protocol.models.reports.Report`) for people.

The hub computes the figures; this package only draws and writes them: one
self-contained HTML file (charts inline as SVG, no network), CSV for a
spreadsheet, PDF from the same charts (matplotlib's PDF backend), and the
quarterly M&E report for the Bupati. People-facing text is Bahasa Indonesia.
"""
