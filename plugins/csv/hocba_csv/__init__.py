"""hocba source plugin for CSV/XLSX bundles and the CSDL ngành primary results template.

Shaped like a third-party vendor's plugin: it uses only public parts of ``connector``.
"""

__version__ = "0.1.0"
