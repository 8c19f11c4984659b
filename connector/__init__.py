"""hocba: from school software to signed digital transcripts (Học bạ số).

The pipeline stages live in their own packages: ``extract`` (sources and state), ``validate``
(rule registry and circular rules), ``report`` (what a clerk reads); later ``xml``, ``sign`` and
``deliver``. ``model`` is the canonical transcript model every stage speaks.
"""

__version__ = "0.1.0"
