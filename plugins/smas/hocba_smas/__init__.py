"""hocba source plugin for SMAS (Viettel) on SQL Server through ODBC.

MODELLED from public information, not vendor-official. Nothing about SMAS's database is public; SQL Server
over ODBC is a project assumption and every table this plugin reads is modelled (domain brief 08 §3, §6;
plugins/smas/README.md). Reading is the shared SQL-source layer's (connector/extract/sql.py); this package
holds the connection settings, the mapping, the assembler, the modelled schema and export().
"""
