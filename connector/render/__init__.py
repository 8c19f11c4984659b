"""The printable rendering (bản thể hiện) of a signed Học bạ page, and its PAdES signatures.

- :mod:`connector.render.reader` — signed XML bytes → :class:`SignedPage` (the record, who signed, the
  document id and SHA-256); refuses documents whose signatures are no longer intact.
- :mod:`connector.render.pdf` — :class:`SignedPage` → PDF in the paper học bạ layout (data:
  ``connector/data/render.toml``), an embedded Vietnamese font, the rendering label on every page.
- :mod:`connector.render.pades` — PAdES signatures by the same roles, in the same order, as the XML.
- :mod:`connector.render.cli` — ``hocba render``.

Heavy libraries (ReportLab, pyHanko) are imported by the submodules, not here. See docs/rendering.md.
"""
