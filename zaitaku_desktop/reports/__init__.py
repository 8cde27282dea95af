"""PDF documents built with ReportLab: pure functions of plain data (a ``<Report>Data`` in, a file out).

``fonts`` registers the bundled IPAex fonts, ``styles`` holds the shared paragraph and table styles,
``kinsoku`` keeps Japanese line breaking correct; one module per document.
"""
